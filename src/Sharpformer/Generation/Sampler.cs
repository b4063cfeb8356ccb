using Sharpformer.Tensors;

namespace Sharpformer.Generation;

/// <summary>Turns one row of logits into a token id according to <see cref="SamplingOptions"/>.</summary>
internal sealed class Sampler(SamplingOptions options)
{
    private readonly SamplingOptions _options = options.Validated();
    private readonly Rng _rng = new(options.Seed);
    private float[] _probs = [];
    private int[] _order = [];

    public int Next(ReadOnlySpan<float> logits)
    {
        int v = logits.Length;
        if (_options.Temperature == 0) return ArgMax(logits);
        if (_probs.Length != v) { _probs = new float[v]; _order = new int[v]; }
        // Softmax of logits / temperature.
        for (int i = 0; i < v; i++) _probs[i] = logits[i] / _options.Temperature;
        Kernels.Softmax.Row(_probs, _probs);
        int keep = v;
        if (_options.TopK is int k && k < v || _options.TopP is not null)
        {
            for (int i = 0; i < v; i++) _order[i] = i;
            var probs = _probs;
            // Descending by probability, ties by id, so the kept set is well defined.
            Array.Sort(_order, (a, b) => probs[b] != probs[a] ? probs[b].CompareTo(probs[a]) : a.CompareTo(b));
            if (_options.TopK is int topK) keep = Math.Min(keep, topK);
            if (_options.TopP is float p)
            {
                double cumulative = 0;
                for (int i = 0; i < keep; i++)
                {
                    cumulative += probs[_order[i]];
                    if (cumulative >= p) { keep = i + 1; break; }
                }
            }
            double mass = 0;
            for (int i = 0; i < keep; i++) mass += probs[_order[i]];
            double u = _rng.NextDouble() * mass;
            for (int i = 0; i < keep; i++)
            {
                u -= probs[_order[i]];
                if (u < 0) return _order[i];
            }
            return _order[keep - 1];
        }
        double r = _rng.NextDouble();
        for (int i = 0; i < v; i++)
        {
            r -= _probs[i];
            if (r < 0) return i;
        }
        return ArgMax(logits);
    }

    private static int ArgMax(ReadOnlySpan<float> logits)
    {
        int best = 0;
        for (int i = 1; i < logits.Length; i++) if (logits[i] > logits[best]) best = i;
        return best;
    }
}
