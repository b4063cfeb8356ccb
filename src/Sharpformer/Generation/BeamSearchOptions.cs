namespace Sharpformer.Generation;

/// <summary>
/// Beam search settings. Beam 1 is greedy decoding. Finished hypotheses are ranked by
/// log P / lp with GNMT's length penalty lp = ((5 + |Y|)/6)^α, so longer outputs are not punished merely
/// for having more factors. The output is at most MaxLengthRatio · |source| + MaxLengthExtra tokens.
/// </summary>
internal sealed record BeamSearchOptions(int Beam = 4, float LengthPenalty = 0.6f, float MaxLengthRatio = 1.5f, int MaxLengthExtra = 10)
{
    public BeamSearchOptions Validated()
    {
        if (Beam < 1) throw new ArgumentException($"--beam must be ≥ 1, got {Beam}.");
        if (LengthPenalty < 0) throw new ArgumentException($"--length-penalty must be ≥ 0, got {LengthPenalty}.");
        if (MaxLengthRatio <= 0 || MaxLengthExtra < 0) throw new ArgumentException("--max-length-ratio must be > 0 and the extra length ≥ 0.");
        return this;
    }

    public double Penalty(int length) => Math.Pow((5.0 + length) / 6.0, LengthPenalty);
}
