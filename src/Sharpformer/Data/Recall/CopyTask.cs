using Sharpformer.Tensors;

namespace Sharpformer.Data.Recall;

/// <summary>
/// Copying for a decoder-only model: a random segment of L symbols somewhere in filler, then a separator,
/// then the segment again, which the model must reproduce from up to T tokens back.
/// <para>
/// Token ids: 0 filler <c>·</c>, 1 separator <c>|</c>, then S symbol tokens (s0, s1, …). One sequence of T tokens:
/// </para>
/// <code>
/// position  0 …………………………………… T−L−2 | T−L−1 | T−L … T−1
/// input     · · s4 s1 s1 s7 · · · |   |   | s4  s1  s1  s7
/// target    (all ignored)        |  s4   | s1  s1  s7  –
/// </code>
/// <para>
/// The segment's symbols are drawn independently and uniformly; its start is uniform over the positions
/// before the separator where it fits. The separator and every copied symbol but the last are scored
/// (L targets); guessing a symbol uniformly gives accuracy 1/S.
/// </para>
/// </summary>
internal sealed class CopyTask : ISequenceTask
{
    public const int Filler = 0;
    public const int Separator = 1;
    public const int FirstSymbol = 2;

    public CopyTask(int length, int segment, int symbols)
    {
        if (segment < 1) throw new ArgumentException($"copy: segment must be ≥ 1, got {segment}.", nameof(segment));
        if (symbols < 2) throw new ArgumentException($"copy: symbols must be ≥ 2, got {symbols}.", nameof(symbols));
        if (length < 2 * segment + 1)
            throw new ArgumentException($"copy: length must be ≥ {2 * segment + 1} to hold the segment, the separator and the copy, got {length}.", nameof(length));
        (Length, Segment, Symbols) = (length, segment, symbols);
    }

    public string Name => "copy";
    public int Length { get; }
    /// <summary>L: symbols to copy.</summary>
    public int Segment { get; }
    /// <summary>S: the symbol alphabet's size.</summary>
    public int Symbols { get; }
    public int VocabSize => FirstSymbol + Symbols;
    public double ChanceAccuracy => 1.0 / Symbols;

    /// <summary>Where the separator sits: the copy fills the sequence after it.</summary>
    public int SeparatorAt => Length - Segment - 1;

    public ISequenceTask WithLength(int length) => new CopyTask(length, Segment, Symbols);

    public void Sample(Rng rng, Span<int> inputs, Span<int> targets)
    {
        if (inputs.Length != Length || targets.Length != Length)
            throw new ArgumentException($"copy: inputs ({inputs.Length}) and targets ({targets.Length}) must both hold {Length} tokens.");
        inputs.Fill(Filler);
        targets.Fill(ISequenceTask.IgnoreIndex);
        int start = RandomSlots.Place(rng, 1, Segment, SeparatorAt)[0];
        inputs[SeparatorAt] = Separator;
        for (int i = 0; i < Segment; i++)
        {
            int symbol = FirstSymbol + rng.NextInt(Symbols);
            inputs[start + i] = symbol;
            inputs[SeparatorAt + 1 + i] = symbol;
            targets[SeparatorAt + i] = symbol;
        }
    }
}
