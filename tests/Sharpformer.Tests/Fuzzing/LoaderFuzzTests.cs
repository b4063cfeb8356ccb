using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using Sharpformer.Data;
using Sharpformer.Data.ListOps;
using Sharpformer.Models;
using Sharpformer.Tensors;
using Sharpformer.Tokenization;
using Sharpformer.Training;

namespace Sharpformer.Tests.Fuzzing;

/// <summary>
/// Every loader fed inputs mutated from valid files (<see cref="Mutations"/>) for a bounded time: each input either
/// loads or is refused with an <see cref="InvalidDataException"/> whose message names the file; any other exception
/// (a crash) or an input that takes longer than <see cref="HangLimit"/> (a hang) fails the test, which CsCheck then
/// shrinks to a small input and prints with its seed. The time per loader is SHARPFORMER_FUZZ_SECONDS (default 1);
/// each loader prints "fuzz NAME: N inputs (L loaded, R refused), crashes 0, hangs 0", and appends it to the file
/// SHARPFORMER_FUZZ_REPORT names, if any.
/// </summary>
public sealed class LoaderFuzzTests
{
    /// <summary>No input of these few-kilobyte files may take longer (the tokenizers' regex timeout is 1 s).</summary>
    public static readonly TimeSpan HangLimit = TimeSpan.FromSeconds(5);

    private static int Seconds => int.TryParse(Environment.GetEnvironmentVariable("SHARPFORMER_FUZZ_SECONDS"), out int s) && s > 0 ? s : 1;

    private static readonly string Root = Directory.CreateTempSubdirectory("sharpformer-fuzz-").FullName;

    /// <summary>
    /// A loader: the file it reads (mutated), the files beside it (valid), the valid seeds, and the call that loads; a
    /// refusal must name the file, or with <see cref="NamesFolder"/> (a format of two files) the folder.
    /// </summary>
    private sealed record Target(string File, IReadOnlyDictionary<string, byte[]> Beside, IReadOnlyList<byte[]> Seeds, Action<string> Load, bool NamesFolder = false);

    private static readonly Lazy<Dictionary<string, Target>> Targets = new(BuildTargets);

    public static TheoryData<string> Names() => new(
        "safetensors", "config.json", "state.json (GPT)", "state.json (translation)", "tokenizer (char JSON)",
        "tokenizer (BPE JSON)", "tokenizer (Hugging Face tokenizer.json)", "tokenizer (tiktoken)", "tokenizer (GPT-2 encoder.json)", "tokenizer (GPT-2 vocab.bpe)",
        "corpus (text)", "corpus (TSV)", "ListOps (TSV)");

    [Theory]
    [MemberData(nameof(Names))]
    public void MutatedFilesLoadOrAreRefusedNamingTheFile(string name)
    {
        var target = Targets.Value[name];
        long tried = 0, loaded = 0, refused = 0;
        var folders = new ThreadLocal<string>(() => Folder(name, target));
        var clock = Stopwatch.StartNew();
        Mutations.Of(target.Seeds).Sample(bytes =>
        {
            var path = Path.Combine(folders.Value!, target.File);
            File.WriteAllBytes(path, bytes);
            Interlocked.Increment(ref tried);
            // A thread of its own: a pool thread could wait behind the other tests' work and read as a hang.
            var run = Task.Factory.StartNew(() => target.Load(path), TaskCreationOptions.LongRunning);
            try
            {
                if (!run.Wait(HangLimit)) throw new TimeoutException($"hang: the loader took over {HangLimit.TotalSeconds} s");
                Interlocked.Increment(ref loaded);
            }
            catch (AggregateException e) when (e.InnerException is InvalidDataException refusal)
            {
                var source = target.NamesFolder ? Path.GetDirectoryName(path)! : path;
                if (!refusal.Message.Contains(source, StringComparison.Ordinal))
                    throw new InvalidOperationException($"the message does not name {source}: {refusal.Message}");
                Interlocked.Increment(ref refused);
            }
        }, time: Seconds, print: Show);
        var line = $"fuzz {name}: {tried:N0} inputs in {clock.Elapsed.TotalSeconds:F1} s ({loaded:N0} loaded, {refused:N0} refused), crashes 0, hangs 0";
        TestContext.Current.TestOutputHelper?.WriteLine(line);
        if (Environment.GetEnvironmentVariable("SHARPFORMER_FUZZ_REPORT") is { Length: > 0 } report) File.AppendAllText(report, line + Environment.NewLine);
        Assert.Equal(tried, loaded + refused);
        Assert.True(refused > 0, $"{name}: no mutation was refused in {tried} inputs (are the edits reaching the loader?)");
    }

    // Shrunk failing inputs are printed as text where they are text, with escapes for the rest.
    private static string Show(byte[] bytes)
    {
        var text = Encoding.UTF8.GetString(bytes, 0, Math.Min(bytes.Length, 600));
        return $"{bytes.Length} bytes: " + JsonSerializer.Serialize(text);
    }

    private static string Folder(string name, Target target)
    {
        var folder = Path.Combine(Root, string.Concat(name.Where(char.IsLetterOrDigit)), Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        foreach (var (file, bytes) in target.Beside) File.WriteAllBytes(Path.Combine(folder, file), bytes);
        return folder;
    }

    private static Dictionary<string, Target> BuildTargets()
    {
        var none = new Dictionary<string, byte[]>();
        var seeds = Path.Combine(Root, "seeds");
        Directory.CreateDirectory(seeds);

        // Safetensors: small tensors, so that most edits land in the header; one with metadata, one without.
        var weightsPath = Path.Combine(seeds, "w.safetensors");
        SafeTensors.Save(weightsPath, [("a", new Tensor([2, 3], [1, 2, 3, 4, 5, 6])), ("b.weight", new Tensor([4])), ("c", new Tensor([1, 1, 2]))],
            new Dictionary<string, string> { ["format"] = "pt" });
        var plainPath = Path.Combine(seeds, "plain.safetensors");
        SafeTensors.Save(plainPath, [("x", new Tensor([3]))]);

        // A GPT checkpoint's config.json and weights: the preflight compares the two.
        var gptDir = Path.Combine(seeds, "gpt");
        var config = new GptConfig(1, 2, 8, 4, 6);
        GptCheckpoint.Save(gptDir, new Gpt(config, 1), CharTokenizer.FromText("abcdef"));
        var gptWeights = File.ReadAllBytes(Path.Combine(gptDir, Checkpoint.ModelFile));

        var options = new GptTrainingOptions { Steps = 10, Batch = 2 }.ToJson();
        var gptState = new TrainingState(5, new Rng(1).GetState(), 2.5f, options, TimeSpan.FromSeconds(3));
        var translationState = new TranslationState(7, 1, 2, new Rng(2).GetState(), new Rng(3).GetState(), 12.5, new TranslationTrainingOptions().ToJson(), TimeSpan.FromSeconds(1));

        var bpe = TrainBpe();
        var bpeJsonPath = Path.Combine(seeds, "bpe.json");
        bpe.Save(bpeJsonPath);
        var huggingFacePath = Path.Combine(seeds, "hf-tokenizer.json");
        HuggingFaceTokenizerFormat.Save(bpe, huggingFacePath);
        var tiktokenPath = Path.Combine(seeds, "bpe.tiktoken");
        TiktokenFormat.Save(bpe, tiktokenPath);
        var (encoder, merges) = Gpt2Files(bpe, Path.Combine(seeds, "gpt2-files"));

        var pairs = new[] { new SentencePair("a cat", "кот"), new SentencePair("big dogs", "большие псы"), new SentencePair("1 2 3", "один два три") };
        var tsvPath = Path.Combine(seeds, "pairs.tsv");
        ParallelCorpus.WriteTsv(tsvPath, pairs);
        var listOps = ListOpsGenerator.Generate(new ListOpsGeneratorOptions { MaxDepth = 3, MaxArgs = 3, MinLength = 3, MaxLength = 30, TrainCount = 6, ValidCount = 1, TestCount = 1, Seed = 1 });
        var listOpsPath = Path.Combine(seeds, "listops.tsv");
        ListOpsTsv.Write(listOpsPath, listOps.Train);

        byte[] Json(object state) => Encoding.UTF8.GetBytes(JsonSerializer.Serialize(state, state.GetType(), Checkpoint.JsonOptions));
        return new()
        {
            ["safetensors"] = new("model.safetensors", none, [File.ReadAllBytes(weightsPath), File.ReadAllBytes(plainPath)], p => SafeTensors.Load(p)),
            ["config.json"] = new(Checkpoint.ConfigFile, new Dictionary<string, byte[]> { [Checkpoint.ModelFile] = gptWeights },
                [Encoding.UTF8.GetBytes(config.ToJson()), Encoding.UTF8.GetBytes(new GptConfig(2, 4, 16, 8, 10, Dropout: 0.1f).ToJson())],
                p => ModelPreflight.Check(p, Path.Combine(Path.GetDirectoryName(p)!, Checkpoint.ModelFile))),
            ["state.json (GPT)"] = new(Checkpoint.StateFile, none, [Json(gptState)], p => CheckpointStates.ReadGpt(Path.GetDirectoryName(p)!)),
            ["state.json (translation)"] = new(Checkpoint.StateFile, none, [Json(translationState)], p => CheckpointStates.ReadTranslation(Path.GetDirectoryName(p)!)),
            ["tokenizer (char JSON)"] = new("tokenizer.json", none, [Encoding.UTF8.GetBytes(CharTokenizer.FromText("abc xyz ЖЯ\n").ToJson())], p => TokenizerFiles.Load(p)),
            ["tokenizer (BPE JSON)"] = new("tokenizer.json", none, [File.ReadAllBytes(bpeJsonPath)], p => TokenizerFiles.Load(p)),
            ["tokenizer (Hugging Face tokenizer.json)"] = new("tokenizer.json", none, [File.ReadAllBytes(huggingFacePath)], p => TokenizerFiles.Load(p)),
            ["tokenizer (tiktoken)"] = new("bpe.tiktoken", none, [File.ReadAllBytes(tiktokenPath)], p => TokenizerFiles.Load(p)),
            ["tokenizer (GPT-2 encoder.json)"] = new("encoder.json", new Dictionary<string, byte[]> { ["vocab.bpe"] = merges }, [encoder],
                p => TokenizerFiles.Load(Path.GetDirectoryName(p)!), NamesFolder: true),
            ["tokenizer (GPT-2 vocab.bpe)"] = new("vocab.bpe", new Dictionary<string, byte[]> { ["encoder.json"] = encoder }, [merges],
                p => TokenizerFiles.Load(Path.GetDirectoryName(p)!), NamesFolder: true),
            ["corpus (text)"] = new("corpus.txt", none, [Encoding.UTF8.GetBytes("To be, or not to be.\nБыть или не быть — вот в чём вопрос. 😀\n")], p => TextFiles.ReadAllText(p)),
            ["corpus (TSV)"] = new("pairs.tsv", none, [File.ReadAllBytes(tsvPath)], p => ParallelCorpus.ReadTsv(p)),
            ["ListOps (TSV)"] = new("listops.tsv", none, [File.ReadAllBytes(listOpsPath)], p => ListOpsTsv.Read(p)),
        };
    }

    private static BpeTokenizer TrainBpe()
    {
        var trainer = new BpeTrainer(new BpeTrainerOptions(300) { SpecialTokens = ["<|endoftext|>"] });
        trainer.AddText("the cat sat on the mat; the dog sat on the log. Кот сидел на ковре. " + string.Concat(Enumerable.Repeat("low lower lowest ", 20)));
        return trainer.Train();
    }

    // OpenAI's GPT-2 layout of the same vocabulary: encoder.json (token -> id, special tokens included) and vocab.bpe.
    private static (byte[] Encoder, byte[] Merges) Gpt2Files(BpeTokenizer bpe, string folder)
    {
        Directory.CreateDirectory(folder);
        Gpt2VocabularyFormat.Save(bpe, folder, "encoder.json", "vocab.bpe");
        return (File.ReadAllBytes(Path.Combine(folder, "encoder.json")), File.ReadAllBytes(Path.Combine(folder, "vocab.bpe")));
    }
}
