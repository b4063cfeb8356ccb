using Sharpformer.Tensors;

namespace Sharpformer.Autograd;

/// <summary>
/// Receives the activations a model reports at its named probe points (<see cref="ActivationNames"/>) during a
/// forward pass on a tape whose <see cref="Tape.Observer"/> is set. The ops on the tape know nothing of it: the
/// models and modules report what they compute, so any activation can be watched without changing a kernel.
/// </summary>
internal interface IActivationObserver
{
    /// <summary>
    /// One activation at <paramref name="site"/>. <paramref name="value"/> is a buffer of the tape (or made for
    /// the observer) that is valid only during the call and must not be changed: keep a copy to use it later.
    /// </summary>
    void Observe(ActivationSite site, Tensor value);
}

/// <summary>
/// Where an activation was computed: the <paramref name="Stack"/> of blocks (<see cref="ActivationNames.Encoder"/>
/// or <see cref="ActivationNames.Decoder"/>; a GPT is a decoder), the <paramref name="Layer"/> in it
/// (<see cref="ActivationSite.Outside"/> for what comes before the first block or after the last) and the
/// <paramref name="Name"/> of the probe point.
/// </summary>
internal readonly record struct ActivationSite(string Stack, int Layer, string Name)
{
    /// <summary>The layer of probe points outside the blocks: embeddings, final norm, logits.</summary>
    public const int Outside = -1;

    /// <summary>e.g. <c>decoder.1.attn.weights</c>, or <c>decoder.logits</c> outside the blocks.</summary>
    public override string ToString() => Layer == Outside ? $"{Stack}.{Name}" : $"{Stack}.{Layer}.{Name}";
}
