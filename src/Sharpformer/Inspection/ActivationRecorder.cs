using Sharpformer.Autograd;
using Sharpformer.Tensors;

namespace Sharpformer.Inspection;

/// <summary>
/// An <see cref="IActivationObserver"/> that keeps a copy of every activation it is shown (or of those
/// <paramref name="keep"/> accepts), in the order the forward pass reported them. Set it as a tape's
/// <see cref="Tape.Observer"/>, run the model, then read the values by site.
/// <code>
/// var recorder = new ActivationRecorder();
/// using var tape = new Tape(recordGradients: false) { Observer = recorder };
/// gpt.Forward(tape, ids, 1, ids.Length);
/// var w = recorder.Head(ActivationNames.Decoder, 0, ActivationNames.Weights, head: 1);   // (T, T)
/// </code>
/// </summary>
internal sealed class ActivationRecorder(Func<ActivationSite, bool>? keep = null) : IActivationObserver
{
    private readonly List<(ActivationSite Site, Tensor Value)> _records = [];

    /// <summary>Every kept activation, in the order reported.</summary>
    public IReadOnlyList<(ActivationSite Site, Tensor Value)> Records => _records;

    /// <inheritdoc/>
    public void Observe(ActivationSite site, Tensor value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (keep == null || keep(site)) _records.Add((site, value.Clone()));
    }

    /// <summary>The last value recorded at the site; throws naming the site when none was.</summary>
    public Tensor Get(string stack, int layer, string name)
    {
        var site = new ActivationSite(stack, layer, name);
        for (int i = _records.Count - 1; i >= 0; i--)
            if (_records[i].Site == site) return _records[i].Value;
        throw new ArgumentException($"activation recorder: nothing was recorded at {site}.", nameof(name));
    }

    /// <summary>True when something was recorded at the site.</summary>
    public bool Has(string stack, int layer, string name) => _records.Exists(r => r.Site == new ActivationSite(stack, layer, name));

    /// <summary>
    /// One head's matrix of a per-head activation (B, nh, rows, cols) at the site: (rows, cols) of batch row
    /// <paramref name="batch"/>, e.g. a head's Q (T, hs) or its weights W (Tq, Tk).
    /// </summary>
    public Tensor Head(string stack, int layer, string name, int head, int batch = 0)
    {
        var all = Get(stack, layer, name);
        if (all.Rank != 4) throw new ArgumentException($"activation recorder: {new ActivationSite(stack, layer, name)} is {ShapeOf.Format(all.Shape)}, not per head (B, nh, rows, cols).", nameof(name));
        if ((uint)head >= (uint)all.Dim(1)) throw new ArgumentException($"activation recorder: head {head} is out of range [0, {all.Dim(1)}).", nameof(head));
        if ((uint)batch >= (uint)all.Dim(0)) throw new ArgumentException($"activation recorder: batch row {batch} is out of range [0, {all.Dim(0)}).", nameof(batch));
        int rows = all.Dim(2), cols = all.Dim(3), size = rows * cols;
        var slice = new Tensor(rows, cols);
        all.Span.Slice((batch * all.Dim(1) + head) * size, size).CopyTo(slice.Span);
        return slice;
    }

    /// <summary>Forgets every record (to reuse the recorder for another pass).</summary>
    public void Clear() => _records.Clear();
}
