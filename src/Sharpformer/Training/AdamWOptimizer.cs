using Sharpformer.Autograd;
using Sharpformer.Kernels;
using Sharpformer.Tensors;

namespace Sharpformer.Training;

/// <summary>
/// AdamW over a model's named parameters. Weight decay applies to matrices and embeddings (rank ≥ 2)
/// only, never to gains and biases — nanoGPT's two parameter groups. Holds the moment estimates and
/// the step count, which checkpoints save and restore.
/// </summary>
internal sealed class AdamWOptimizer
{
    private readonly (string Name, Variable Param, Tensor M, Tensor V)[] _slots;

    /// <summary>
    /// The update's work items: runs of at most <see cref="ChunkElements"/> elements of one parameter, so that the
    /// threads share a model of a few large matrices evenly. Each element's update is independent of the others and
    /// the runs start at multiples of every vector width, so the bits do not depend on the split.
    /// </summary>
    private readonly (int Slot, int Start, int Length)[] _chunks;

    private const int ChunkElements = 16_384;

    public float Beta1 { get; }
    public float Beta2 { get; }
    public float Epsilon { get; }
    public float WeightDecay { get; }
    public int Step { get; private set; }

    public AdamWOptimizer(IEnumerable<(string Name, Variable Param)> parameters, float beta1 = 0.9f, float beta2 = 0.999f, float eps = 1e-8f, float weightDecay = 0.01f)
    {
        _slots = parameters.Select(p => (p.Name, p.Param, new Tensor(p.Param.Shape), new Tensor(p.Param.Shape))).ToArray();
        _chunks = _slots.SelectMany((slot, i) => Enumerable.Range(0, (slot.Param.Value.Size + ChunkElements - 1) / ChunkElements)
            .Select(c => (i, c * ChunkElements, Math.Min(ChunkElements, slot.Param.Value.Size - c * ChunkElements)))).ToArray();
        (Beta1, Beta2, Epsilon, WeightDecay) = (beta1, beta2, eps, weightDecay);
    }

    /// <summary>Applies one update with the parameters' current gradients.</summary>
    public void Update(float learningRate)
    {
        Step++;
        Parallelism.For(_chunks.Length, c =>
        {
            var (slot, start, length) = _chunks[c];
            var (_, p, m, v) = _slots[slot];
            float decay = p.Value.Rank >= 2 ? WeightDecay : 0f;
            AdamW.Update(p.Value.Span.Slice(start, length), p.Grad!.Span.Slice(start, length), m.Span.Slice(start, length), v.Span.Slice(start, length),
                new AdamWStep(learningRate, Beta1, Beta2, Epsilon, decay, Step));
        }, workPerItem: 12L * ChunkElements);
    }

    /// <summary>
    /// The end of a training step whose mean loss was <paramref name="loss"/>: stops training with a
    /// <see cref="NonFiniteTrainingException"/> when the loss or a gradient is NaN or ±∞ (before anything is changed),
    /// else clips the gradients to a global norm of <paramref name="maxGradNorm"/>, applies the update, and zeroes the
    /// gradients for the next step. Returns the norm before clipping.
    /// </summary>
    public float ClipAndUpdate(float maxGradNorm, float learningRate, float loss)
    {
        var parameters = _slots.Select(s => s.Param).ToArray();
        float norm = GradientClipping.GlobalNorm(parameters);
        NonFiniteTrainingException.ThrowIfNonFinite(Step + 1, loss, norm, _slots.Select(s => (s.Name, s.Param)));
        GradientClipping.ClipToNorm(parameters, norm, maxGradNorm);
        Update(learningRate);
        foreach (var slot in _slots) slot.Param.ZeroGrad();
        return norm;
    }

    /// <summary>Moment tensors named "m.&lt;param&gt;" and "v.&lt;param&gt;", for checkpoints.</summary>
    public IEnumerable<(string Name, Tensor Tensor)> StateTensors()
    {
        foreach (var (name, _, m, v) in _slots)
        {
            yield return ("m." + name, m);
            yield return ("v." + name, v);
        }
    }

    /// <summary>
    /// Restores moments saved by <see cref="StateTensors"/>: every tensor must be present with the right shape, no other
    /// tensor may be there, second moments must be ≥ 0 (their square root divides the update), and the step ≥ 0 (bias
    /// correction divides by 1 - β^step). Checks everything before changing anything.
    /// </summary>
    public void LoadState(IReadOnlyDictionary<string, Tensor> tensors, int step, string source)
    {
        if (step < 0) throw new InvalidDataException($"{source}: the optimizer step is {step}, expected a count ≥ 0.");
        var expected = new HashSet<string>();
        foreach (var (name, p, _, _) in _slots)
        {
            foreach (var key in new[] { "m." + name, "v." + name })
            {
                expected.Add(key);
                if (!tensors.TryGetValue(key, out var t))
                    throw new InvalidDataException($"{source}: optimizer state lacks '{key}'.");
                if (!ShapeOf.Equal(t.Shape, p.Shape))
                    throw new InvalidDataException($"{source}: optimizer state '{key}' has shape {ShapeOf.Format(t.Shape)}, the model needs {ShapeOf.Format(p.Shape)}.");
                if (key[0] == 'v' && System.Numerics.Tensors.TensorPrimitives.Min(t.Span) is var min && min < 0)
                    throw new InvalidDataException($"{source}: optimizer state '{key}' holds {min}; second moments are ≥ 0.");
            }
        }
        foreach (var key in tensors.Keys)
            if (!expected.Contains(key))
                throw new InvalidDataException($"{source}: optimizer state holds '{key}', which is no moment of this model's parameters.");
        foreach (var (name, _, m, v) in _slots)
        {
            tensors["m." + name].Span.CopyTo(m.Span);
            tensors["v." + name].Span.CopyTo(v.Span);
        }
        Step = step;
    }
}
