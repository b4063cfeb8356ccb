namespace Sharpformer.Autograd;

internal sealed partial class Tape
{
    private string _observedStack = ActivationNames.Decoder;
    private int _observedLayer = ActivationSite.Outside;

    /// <summary>
    /// Receives the activations the model reports (<see cref="ActivationNames"/>); null, the default, reports
    /// nothing and computes nothing extra.
    /// </summary>
    public IActivationObserver? Observer { get; set; }

    /// <summary>Names the stack and layer the observations that follow belong to (models call it per block).</summary>
    public void ObserveLayer(string stack, int layer)
    {
        _observedStack = stack;
        _observedLayer = layer;
    }

    /// <summary>Reports <paramref name="x"/> at probe point <paramref name="name"/> of the current layer, when observed.</summary>
    public void Observe(string name, Variable x) => Observer?.Observe(new ActivationSite(_observedStack, _observedLayer, name), x.Value);

    /// <summary>Reports a tensor made for the observer (not on the tape) at probe point <paramref name="name"/>.</summary>
    public void Observe(string name, Tensors.Tensor value) => Observer?.Observe(new ActivationSite(_observedStack, _observedLayer, name), value);
}
