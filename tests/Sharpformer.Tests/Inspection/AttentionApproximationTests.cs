using Sharpformer.Attention;
using Sharpformer.Autograd;
using Sharpformer.Inspection;
using Sharpformer.Models;
using Sharpformer.Tensors;

namespace Sharpformer.Tests.Inspection;

public class AttentionApproximationTests
{
    // q, k, v: (1, 2, T, 8), scaled up so the rows are peaked like a trained model's.
    private static AttentionInputs RandomInputs(int time, bool causal, ulong seed)
    {
        var rng = new Rng(seed);
        Tensor Make() { var t = new Tensor(1, 2, time, 8); rng.FillNormal(t.Span, 1.5f); return t; }
        return new AttentionInputs(Make(), Make(), Make(), causal);
    }

    [Fact]
    public void ExactVariantsHaveNoErrorAndCaptureAllTheMass()
    {
        var inputs = RandomInputs(70, causal: true, seed: 1);
        foreach (var name in new[] { "flash", "full", "window:70", "topk:0:2" })
        {
            var r = AttentionApproximation.Compare(AttentionVariants.Create(name), inputs, call: 0);
            Assert.True(r.OutputError < 1e-5, $"{name}: output error {r.OutputError}");
            Assert.True(Math.Max(r.QueryGradError, Math.Max(r.KeyGradError, r.ValueGradError)) < 1e-4, name);
            if (name != "full") Assert.Equal(1.0, r.MeanMass, 1e-5);
        }
    }

    [Fact]
    public void MassOfAWindowIsTheExactProbabilityInsideIt()
    {
        const int time = 50, window = 6;
        var inputs = RandomInputs(time, causal: true, seed: 2);
        var r = AttentionApproximation.Compare(new WindowVariant(window, tileSize: 8), inputs, call: 3);

        // Oracle: the materialised probabilities summed over i − window < j ≤ i, per row.
        using var tape = new Tape(recordGradients: false) { AttentionMaps = [] };
        tape.ScaledDotProductAttention(Variable.Constant(inputs.Q), Variable.Constant(inputs.K), Variable.Constant(inputs.V), true, null, AttentionKernel.Full);
        var p = tape.AttentionMaps[0].Span; // (1, 2, T, T)
        var mass = new List<double>();
        for (int h = 0; h < 2; h++)
            for (int i = 0; i < time; i++)
            {
                double sum = 0;
                for (int j = Math.Max(0, i - window + 1); j <= i; j++) sum += p[(h * time + i) * time + j];
                mass.Add(sum);
            }
        Assert.Equal(3, r.Call);
        Assert.Equal(mass.Average(), r.MeanMass, 1e-5);
        Assert.True(r.MeanMass < 0.999 && r.OutputError > 1e-3, $"a window of {window} in {time} should miss something: {r}");
        Assert.Equal(mass.Order().ElementAt((int)(0.05 * (mass.Count - 1))), r.LowMass, 1e-5);
    }

    [Fact]
    public void SharedKeyHashingReportsNoMassAndAZeroKeyGradient()
    {
        var r = AttentionApproximation.Compare(AttentionVariants.Create("lsh:4:16:2"), RandomInputs(64, causal: true, seed: 3), call: 0);
        Assert.True(double.IsNaN(r.MeanMass));
        Assert.Equal(1.0, r.KeyGradError, 1e-9); // the keys are the normalised queries: k gets no gradient
        // Four buckets of 16 over random keys: most of each row's weight lies outside its bucket.
        Assert.True(r.OutputError > 0.01, r.ToString());
    }

    [Fact]
    public void AReferenceVariantReplacesExactAttention()
    {
        var inputs = RandomInputs(64, causal: true, seed: 5);
        var sharedKeys = AttentionVariants.Create("lsh:2:64:1"); // one chunk: shared-key attention over every key
        var r = AttentionApproximation.Compare(sharedKeys, inputs, call: 0, reference: AttentionVariants.Create("lsh:2:64:1"));
        Assert.True(r.OutputError < 1e-6 && r.QueryGradError < 1e-6 && r.ValueGradError < 1e-6, r.ToString());
        Assert.True(AttentionApproximation.Compare(sharedKeys, inputs, call: 0).OutputError > 0.01);
    }

    [Fact]
    public void AGptRecordsTheInputsOfEveryLayer()
    {
        var model = new Gpt(new GptConfig(3, 2, 16, 32, 20), seed: 4);
        using var tape = new Tape(recordGradients: false) { AttentionInputs = [] };
        model.Forward(tape, Enumerable.Range(0, 24).Select(i => i % 20).ToArray(), 1, 24);
        Assert.Equal(3, tape.AttentionInputs.Count);
        Assert.All(tape.AttentionInputs, a =>
        {
            Assert.Equal([1, 2, 24, 8], a.Q.Shape);
            Assert.Equal([1, 2, 24, 8], a.V.Shape);
            Assert.True(a.Causal);
        });
    }
}
