using System.Text;

namespace Sharpformer.Tokenization;

/// <summary>
/// Learns a byte-level BPE vocabulary: count the pre-tokens of the corpus (split around special
/// tokens), start from the 256 bytes, and repeatedly give the most frequent adjacent pair a new
/// token until the vocabulary is full. Feed text with the Add methods, then call <see cref="Train"/>.
/// </summary>
internal sealed class BpeTrainer
{
    private readonly WordCounter _counter;

    public BpeTrainer(BpeTrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        _counter = new WordCounter(PreTokenizer.Create(options.Pattern), options.SpecialTokens);
    }

    public BpeTrainerOptions Options { get; }

    /// <summary>Receives progress while merging (merges done, merges/s, ETA) about five times a second.</summary>
    public IProgress<BpeTrainingProgress>? Progress { get; init; }

    /// <summary>Characters counted so far.</summary>
    public long CharactersRead => _counter.CharactersRead;

    /// <summary>Distinct pre-tokens seen so far: what training holds in memory.</summary>
    public int DistinctWords => _counter.Counts.Count;

    public void AddText(ReadOnlySpan<char> text) => _counter.Add(text);

    /// <summary>
    /// Reads a strict UTF-8 file in chunks (a UTF-16 byte-order mark or invalid UTF-8 is an error naming the file and
    /// byte offset); memory stays bounded by the distinct words.
    /// </summary>
    public void AddFile(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Training corpus not found: {path}", path);
        using var reader = new Data.Utf8TextReader(path);
        _counter.Add(reader);
    }

    public void AddReader(TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        _counter.Add(reader);
    }

    /// <summary>
    /// Learns the merges and returns the tokenizer: ids 0–255 are the bytes, 256… the merges in the
    /// order learned, then the special tokens in the order given. Stops early if no pair is left.
    /// </summary>
    public BpeTokenizer Train()
    {
        var words = _counter.Counts.Select(kv => (Encoding.UTF8.GetBytes(kv.Key), kv.Value)).ToList();
        var learner = new MergeLearner(words);
        var merges = learner.Learn(Options.MergeCount, Progress == null ? null : Progress.Report);

        var tokens = new List<byte[]?>(learner.Tokens);
        var rules = new Dictionary<long, Merge>(merges.Count);
        for (int i = 0; i < merges.Count; i++) rules.Add(MergeTable.Key(merges[i].Left, merges[i].Right), new Merge(i, 256 + i));
        var specials = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var special in Options.SpecialTokens) specials.Add(special, tokens.Count + specials.Count);
        return new BpeTokenizer(Options.Name ?? $"bpe-{Options.VocabSize}", tokens, new MergeTable(rules), specials, Options.Pattern);
    }

    /// <summary>Counts every file, then trains.</summary>
    public static BpeTokenizer TrainOnFiles(IEnumerable<string> paths, BpeTrainerOptions options, IProgress<BpeTrainingProgress>? progress = null)
    {
        var trainer = new BpeTrainer(options) { Progress = progress };
        foreach (var path in paths) trainer.AddFile(path);
        return trainer.Train();
    }
}
