namespace Sharpformer.Evaluation;

/// <summary>
/// BLEU smoothing, as named and defined by sacreBLEU (after Chen &amp; Cherry 2014): what a precision becomes when
/// an order has no matching n-gram.
/// </summary>
internal enum SmoothingMethod
{
    /// <summary>No smoothing: a zero precision makes the score 0.</summary>
    None,

    /// <summary>A zero count is replaced by the smoothing value (default 0.1): p_n = value / total_n.</summary>
    Floor,

    /// <summary>Adds the smoothing value (default 1) to the counts and totals of every order above 1.</summary>
    AddK,

    /// <summary>NIST geometric smoothing (mteval-v13a), sacreBLEU's default: the k-th zero order gets 1 / (2^k · total_n).</summary>
    Exp,
}

/// <summary>The sacreBLEU names of the smoothing methods (`none`, `floor`, `add-k`, `exp`) and their defaults.</summary>
internal static class SmoothingMethods
{
    public static string Name(this SmoothingMethod method) => method switch
    {
        SmoothingMethod.None => "none",
        SmoothingMethod.Floor => "floor",
        SmoothingMethod.AddK => "add-k",
        SmoothingMethod.Exp => "exp",
        _ => throw new ArgumentException($"Unknown smoothing method {(int)method}.", nameof(method)),
    };

    /// <summary>The value a method uses when none is given (floor 0.1, add-k 1), or null for methods without one.</summary>
    public static double? DefaultValue(this SmoothingMethod method) => method switch
    {
        SmoothingMethod.Floor => 0.1,
        SmoothingMethod.AddK => 1.0,
        _ => null,
    };

    public static SmoothingMethod Parse(string name) => name switch
    {
        "none" => SmoothingMethod.None,
        "floor" => SmoothingMethod.Floor,
        "add-k" => SmoothingMethod.AddK,
        "exp" => SmoothingMethod.Exp,
        _ => throw new ArgumentException($"Unknown smoothing method '{name}'; expected one of: none, floor, add-k, exp.", nameof(name)),
    };
}
