using Sharpformer.Autograd;
using Sharpformer.Models;
using Sharpformer.Tensors;
using Sharpformer.Training;

namespace Sharpformer.Tests.Models;

/// <summary>
/// Parity with PyTorch in the manner of llm.c's test_gpt2: tools/parity/make_gpt2_fixture.py builds a GPT-2
/// (2 layers, 4 heads, n_embd 32, vocabulary 503, context 64, biases and LayerNorm gains drawn at random) in plain
/// torch with transformers' names and math, and writes it as a Hugging Face GPT-2 folder (TorchParity/config.json,
/// model.safetensors) with a batch (2 × 64), its logits, its loss, every gradient and the losses of 10 AdamW steps
/// (TorchParity/reference.safetensors). The model is loaded here through the GPT-2 import, so the test checks the
/// layout (names, Conv1D transposes, the q/k/v split of c_attn) as well as the math.
///
/// Tolerances. Both sides compute in fp32 (unit roundoff u = 6e-8) and differ only in summation order (blocked
/// GEMM, another softmax and LayerNorm reduction), so errors of a few u times the magnitude of the terms are expected.
/// Observed (AVX-512 machine, all threads): logits 1.2e-7 abs (values up to 0.54); loss equal to the last bit; each
/// gradient at worst 7.3e-7 of its tensor's largest value (h.1.ln_2.weight); the 10 AdamW losses 4.8e-7 abs at worst.
/// The bounds below are ten to twenty times those, room for another instruction set's order of summation, and still
/// orders of magnitude below what a wrong transpose, a missing bias or a swapped q/k/v block produces.
/// Gradients are compared to their tensor's largest value because elementwise relative errors of near-zero
/// gradients say nothing.
/// </summary>
public sealed class TorchParityTests(ITestOutputHelper output)
{
    private const float LogitsAbs = 2e-6f, LossRel = 2e-6f, GradientOfMax = 1e-5f, AdamWLossAbs = 1e-5f;
    private const float LearningRate = 1e-3f, Beta1 = 0.9f, Beta2 = 0.95f, Epsilon = 1e-8f, WeightDecay = 0.1f;

    private static string FixtureDir() => Path.Combine(AppContext.BaseDirectory, "Models", "TorchParity");

    [Fact]
    public void LogitsLossGradientsAndTenAdamWStepsMatchPyTorch()
    {
        var model = GptCheckpoint.LoadModel(FixtureDir());
        Assert.True(model.Config.Bias);
        var reference = SafeTensors.Load(Path.Combine(FixtureDir(), "reference.safetensors")).Tensors;
        int batch = reference["ids"].Shape[0], time = reference["ids"].Shape[1];
        var ids = Ints(reference["ids"]);
        var targets = Ints(reference["targets"]);

        using var tape = new Tape();
        var logits = model.Forward(tape, ids, batch, time);               // (B, T, V)
        var loss = tape.CrossEntropy(logits, targets);
        tape.Backward(loss);

        var (logitsAbs, logitsRel) = Errors(logits.Value.Span, reference["logits"].Span);
        float lossRel = MathF.Abs(loss.Value.Span[0] - reference["loss"].Span[0]) / reference["loss"].Span[0];
        output.WriteLine($"logits: max abs error {logitsAbs:0.00e0}, max rel error {logitsRel:0.00e0} (max |logit| {MaxAbs(reference["logits"].Span):0.000})");
        output.WriteLine($"loss: ours {loss.Value.Span[0]:0.000000}, torch {reference["loss"].Span[0]:0.000000}, rel error {lossRel:0.00e0}");
        Assert.True(logitsAbs <= LogitsAbs, $"logits differ by {logitsAbs}");
        Assert.True(lossRel <= LossRel, $"loss differs by {lossRel} relative");

        float worst = 0;
        string worstName = "";
        foreach (var (name, grad) in Gpt2Weights.ExportGradients(model))
        {
            var expected = reference["grad." + name].Span;
            var (abs, rel) = Errors(grad.Span, expected);
            float ofMax = abs / MaxAbs(expected);
            output.WriteLine($"grad {name,-22} max abs {abs:0.00e0}  max rel {rel:0.00e0}  abs/max|g| {ofMax:0.00e0}");
            if (ofMax > worst) (worst, worstName) = (ofMax, name);
        }
        output.WriteLine($"worst gradient: {worstName}, {worst:0.00e0} of its largest value");
        Assert.True(worst <= GradientOfMax, $"gradient {worstName} differs by {worst} of its largest value");

        tape.Reset();
        model.ZeroGrad();
        var optimizer = new AdamWOptimizer(model.NamedParameters(), Beta1, Beta2, Epsilon, WeightDecay);
        var expectedLosses = reference["losses"].Span;
        for (int step = 0; step < expectedLosses.Length; step++)
        {
            var stepLoss = model.Loss(tape, ids, targets, batch, time);
            tape.Backward(stepLoss);
            float ours = stepLoss.Value.Span[0]; // before the reset gives its buffer back to the pool
            tape.Reset();
            optimizer.Update(LearningRate);
            model.ZeroGrad();
            float diff = MathF.Abs(ours - expectedLosses[step]);
            output.WriteLine($"AdamW step {step}: loss ours {ours:0.000000}, torch {expectedLosses[step]:0.000000}, abs error {diff:0.0e0}");
            Assert.True(diff <= AdamWLossAbs, $"step {step}: loss {ours} vs torch {expectedLosses[step]}");
        }
    }

    private static int[] Ints(Tensor t) => t.Span.ToArray().Select(v => (int)v).ToArray();

    private static float MaxAbs(ReadOnlySpan<float> x)
    {
        float m = 0;
        foreach (var v in x) m = MathF.Max(m, MathF.Abs(v));
        return m;
    }

    /// <summary>Largest |a − b| and largest |a − b| / |b| over entries with |b| ≥ 1e-3 of the largest |b|.</summary>
    private static (float Abs, float Rel) Errors(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected)
    {
        Assert.Equal(expected.Length, actual.Length);
        float floor = 1e-3f * MaxAbs(expected), abs = 0, rel = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            float d = MathF.Abs(actual[i] - expected[i]);
            abs = MathF.Max(abs, d);
            if (MathF.Abs(expected[i]) >= floor) rel = MathF.Max(rel, d / MathF.Abs(expected[i]));
        }
        return (abs, rel);
    }
}
