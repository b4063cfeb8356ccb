using Sharpformer.Tensors;

namespace Sharpformer.Data.Recall;

/// <summary>
/// Associative recall for a decoder-only model: key–value pairs scattered through filler, then a query
/// marker and some of the keys again, each followed by the value it was paired with. A model answers a
/// query only by finding its pair, which may lie anywhere from a few tokens to nearly T tokens back.
/// <para>
/// Token ids: 0 filler <c>·</c>, 1 query marker <c>?</c>, then <see cref="AssociativeRecallOptions.Keys"/> key
/// tokens (k0, k1, …), then <see cref="AssociativeRecallOptions.Values"/> value tokens (v0, v1, …); keys and
/// values never share an id. One sequence of T tokens, with N pairs and Q queries:
/// </para>
/// <code>
/// position  0 ……………………………………………… T−2Q−2 | T−2Q−1 | T−2Q  T−2Q+1 … T−2  T−1
/// input     · · k3 v7 · · · · k0 v2 · … · |   ?    |  k0    v2    …  k3   v7
/// target    (all ignored)                |   –    |  v2    –     …  v7   –
/// </code>
/// <para>
/// The prefix (T − 2Q − 1 tokens) holds the N pairs as adjacent (key, value) tokens at positions drawn
/// uniformly among all non-overlapping placements, filler everywhere else. Keys within a sequence are
/// distinct; values are drawn independently and may repeat. The Q queried keys are distinct keys of the
/// sequence in random order, so no query can be answered from an earlier query. Targets follow the
/// next-token convention: the target of position i is the token the model must predict at i, which is the
/// value at i + 1 for a queried key and <see cref="ISequenceTask.IgnoreIndex"/> everywhere else.
/// Guessing a value uniformly gives accuracy 1/Values.
/// </para>
/// <para>
/// Answering takes two steps of attention: each value must first learn which key precedes it (a
/// previous-token head), then the query finds the value whose key matches (an induction head), and a small
/// model trains long before the first step forms. With <see cref="AssociativeRecallOptions.KeyedValues"/>
/// each key has its own Values value tokens (v3.0, v3.1, … belong to k3; render <c>v3.7</c>), so a value
/// names its key and one step of attention, from the query to the far-away value, answers: the retrieval
/// alone is tested. Chance stays 1/Values, the answer being one of the key's own values.
/// With <see cref="AssociativeRecallOptions.DistinctQueries"/> the queries after the marker are tokens of their
/// own, one per key (q0, q1, … after the keys, before the values; <c>q3</c> asks for the value of <c>k3</c>).
/// </para>
/// </summary>
internal sealed class AssociativeRecall : ISequenceTask
{
    public const int Filler = 0;
    public const int QueryMarker = 1;
    public const int FirstKey = 2;

    public AssociativeRecallOptions Options { get; }

    public AssociativeRecall(AssociativeRecallOptions options) => Options = options.Validated();

    public string Name => "recall";
    public int Length => Options.Length;
    public int VocabSize => FirstValue + (Options.KeyedValues ? Options.Keys : 1) * Options.Values;

    /// <summary>The id of query q0 (only with <see cref="AssociativeRecallOptions.DistinctQueries"/>; else the keys ask).</summary>
    public int FirstQuery => FirstKey + Options.Keys;
    public double ChanceAccuracy => 1.0 / Options.Values;

    /// <summary>The id of value v0; values follow the keys (and the queries, when they are distinct).</summary>
    public int FirstValue => FirstQuery + (Options.DistinctQueries ? Options.Keys : 0);

    /// <summary>Where the query marker sits: the queries and their answers fill the sequence after it.</summary>
    public int QueryStart => Options.Length - 2 * Options.Queries - 1;

    public void Sample(Rng rng, Span<int> inputs, Span<int> targets)
    {
        int t = Options.Length, pairs = Options.Pairs;
        if (inputs.Length != t || targets.Length != t)
            throw new ArgumentException($"recall: inputs ({inputs.Length}) and targets ({targets.Length}) must both hold {t} tokens.");
        inputs.Fill(Filler);
        targets.Fill(ISequenceTask.IgnoreIndex);

        // Distinct keys: the first `pairs` of a shuffled alphabet.
        Span<int> keys = stackalloc int[Options.Keys];
        for (int k = 0; k < keys.Length; k++) keys[k] = FirstKey + k;
        RandomSlots.Shuffle(rng, keys);
        Span<int> values = stackalloc int[pairs];
        for (int p = 0; p < pairs; p++) values[p] = ValueId(keys[p], rng.NextInt(Options.Values));

        var starts = RandomSlots.Place(rng, pairs, width: 2, span: QueryStart);
        for (int p = 0; p < pairs; p++)
        {
            inputs[starts[p]] = keys[p];
            inputs[starts[p] + 1] = values[p];
        }

        Span<int> order = stackalloc int[pairs];
        for (int p = 0; p < pairs; p++) order[p] = p;
        RandomSlots.Shuffle(rng, order);
        inputs[QueryStart] = QueryMarker;
        for (int q = 0; q < Options.Queries; q++)
        {
            int at = QueryStart + 1 + 2 * q;
            inputs[at] = QueryId(keys[order[q]]);
            inputs[at + 1] = values[order[q]];
            targets[at] = values[order[q]];
        }
    }

    public ISequenceTask WithLength(int length) => new AssociativeRecall(Options with { Length = length });

    /// <summary>The token that asks for key id <paramref name="key"/>: the key itself, or its own query token.</summary>
    public int QueryId(int key) => Options.DistinctQueries ? key - FirstKey + FirstQuery : key;

    /// <summary>The id of value <paramref name="value"/> paired with key id <paramref name="key"/>.</summary>
    public int ValueId(int key, int value) =>
        FirstValue + (Options.KeyedValues ? (key - FirstKey) * Options.Values : 0) + value;

    /// <summary>A readable rendering (<c>· ? k3 v7</c>) for documentation and failing tests.</summary>
    public string Render(ReadOnlySpan<int> tokens)
    {
        var parts = new string[tokens.Length];
        for (int i = 0; i < tokens.Length; i++)
            parts[i] = tokens[i] switch
            {
                Filler => "·",
                QueryMarker => "?",
                var id when id < FirstQuery => $"k{id - FirstKey}",
                var id when id < FirstValue => $"q{id - FirstQuery}",
                var id when Options.KeyedValues => $"v{(id - FirstValue) / Options.Values}.{(id - FirstValue) % Options.Values}",
                var id => $"v{id - FirstValue}",
            };
        return string.Join(' ', parts);
    }
}
