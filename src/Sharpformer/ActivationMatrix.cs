namespace Sharpformer;

/// <summary>
/// A read-only matrix of activations, one row per token (or per query), row-major: a head's Q, K, V, scores,
/// weights or output, or a layer's feed-forward activations, as <see cref="LanguageModel.Trace"/> and
/// <see cref="TranslationModel.Trace"/> recorded them.
/// </summary>
public sealed class ActivationMatrix
{
    private readonly float[] _values;

    internal ActivationMatrix(float[][] rows)
    {
        Rows = rows.Length;
        Columns = rows.Length == 0 ? 0 : rows[0].Length;
        _values = rows.SelectMany(r => r).ToArray();
    }

    /// <summary>Number of rows.</summary>
    public int Rows { get; }

    /// <summary>Number of columns.</summary>
    public int Columns { get; }

    /// <summary>The value at <paramref name="row"/>, <paramref name="column"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An index outside the matrix.</exception>
    public float this[int row, int column]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(row);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, Rows);
            ArgumentOutOfRangeException.ThrowIfNegative(column);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(column, Columns);
            return _values[row * Columns + column];
        }
    }

    /// <summary>One row, <see cref="Columns"/> long.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="row"/> outside the matrix.</exception>
    public ReadOnlySpan<float> Row(int row)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(row);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, Rows);
        return _values.AsSpan(row * Columns, Columns);
    }

    /// <summary>A copy of the values, row after row.</summary>
    public float[] ToArray() => (float[])_values.Clone();
}
