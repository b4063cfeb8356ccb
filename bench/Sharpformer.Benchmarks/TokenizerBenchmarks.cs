using BenchmarkDotNet.Attributes;
using Microsoft.ML.Tokenizers;
using Sharpformer.Tokenization;
using BpeTokenizer = Sharpformer.Tokenization.BpeTokenizer;
using PreTokenizer = Sharpformer.Tokenization.PreTokenizer;

namespace Sharpformer.Benchmarks;

/// <summary>Micro-benchmarks: GPT-2 encoding of tinyshakespeare by both tokenizers, pre-tokenization, and training.</summary>
[MemoryDiagnoser]
public class TokenizerEncodeBenchmarks
{
    private string _text = "";
    private BpeTokenizer _ours = null!;
    private TiktokenTokenizer _theirs = null!;

    [GlobalSetup]
    public void Setup()
    {
        _text = File.ReadAllText(BenchData.File("tinyshakespeare", "input.txt"));
        _ours = BpeTokenizer.Load(BenchData.File("gpt2-bpe"));
        _theirs = TiktokenTokenizer.CreateForModel("gpt2");
        _ours.Encode(_text);
        _theirs.EncodeToIds(_text);
    }

    [Benchmark(Baseline = true)]
    public int MicrosoftMlTokenizers() => _theirs.EncodeToIds(_text).Count;

    [Benchmark]
    public int Sharpformer() => _ours.Encode(_text).Length;

    private readonly List<Range> _pieces = new(1 << 19);

    /// <summary>Pre-tokenization alone (GPT-2's hand-written scanner), into a reused list of ranges.</summary>
    [Benchmark]
    public int Gpt2PreTokenizer()
    {
        _pieces.Clear();
        PreTokenizer.Create("gpt2").Split(_text, _pieces);
        return _pieces.Count;
    }
}

/// <summary>BPE training on tinyshakespeare.</summary>
[MemoryDiagnoser]
public class TokenizerTrainBenchmarks
{
    private string _path = "";

    [Params(4096, 16384)]
    public int VocabSize { get; set; }

    [GlobalSetup]
    public void Setup() => _path = BenchData.File("tinyshakespeare", "input.txt");

    [Benchmark]
    public int Train() => BpeTrainer.TrainOnFiles([_path], new BpeTrainerOptions(VocabSize)).VocabSize;
}
