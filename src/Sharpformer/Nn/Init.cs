using Sharpformer.Autograd;
using Sharpformer.Tensors;

namespace Sharpformer.Nn;

/// <summary>Parameter initialisers (GPT-2 style: normal with a small standard deviation, zeros, ones).</summary>
internal static class Init
{
    public static Variable Normal(Rng rng, float std, string name, params int[] shape)
    {
        var t = new Tensor(shape);
        rng.FillNormal(t.Span, std);
        return Variable.Parameter(t, name);
    }

    public static Variable Zeros(string name, params int[] shape) => Variable.Parameter(new Tensor(shape), name);

    public static Variable Ones(string name, params int[] shape)
    {
        var t = new Tensor(shape);
        t.Span.Fill(1f);
        return Variable.Parameter(t, name);
    }
}
