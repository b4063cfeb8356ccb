using Sharpformer.Autograd;

namespace Sharpformer.Nn;

/// <summary>
/// A piece of a model that owns parameters and may contain sub-modules. Parameter names are
/// dot-separated paths (<c>blocks.0.attn.qkv.weight</c>) so checkpoints name every tensor the way the
/// model reads.
/// </summary>
internal abstract class Module
{
    /// <summary>This module's own parameters, by local name.</summary>
    protected virtual IEnumerable<(string Name, Variable Parameter)> OwnParameters() => [];

    /// <summary>Direct sub-modules, by local name.</summary>
    protected virtual IEnumerable<(string Name, Module Module)> Children() => [];

    /// <summary>Every parameter of this module and its descendants with its full dotted name, in a fixed order.</summary>
    public IEnumerable<(string Name, Variable Parameter)> NamedParameters(string prefix = "")
    {
        foreach (var (name, p) in OwnParameters()) yield return (prefix + name, p);
        foreach (var (name, child) in Children())
            foreach (var item in child.NamedParameters(prefix + name + "."))
                yield return item;
    }

    public IEnumerable<Variable> Parameters() => NamedParameters().Select(p => p.Parameter);

    public long ParameterCount() => Parameters().Sum(p => (long)p.Value.Size);

    public void ZeroGrad()
    {
        foreach (var p in Parameters()) p.ZeroGrad();
    }
}
