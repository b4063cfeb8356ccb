using Microsoft.ML.OnnxRuntimeGenAI;
using Sharpformer.Autograd;
using Sharpformer.Interop.Onnx;
using Sharpformer.Models;
using Sharpformer.Tokenization;

namespace Sharpformer.Tests.Interop.Onnx;

/// <summary>
/// ONNX Runtime GenAI reads the exported folder through its genai_config.json alone — finds the decoder, feeds
/// input_ids, attention_mask, position_ids and the cache by the names given there, grows the cache step by step —
/// and its greedy search produces the tokens Sharpformer's greedy decoding does.
/// </summary>
public sealed class GenAiGenerationTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sharpformer-genai-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(true, "gelu")]
    [InlineData(false, "gelu_exact")]
    public void GenAiGreedySearchGeneratesSharpformersTokens(bool bias, string activation)
    {
        var gpt = GptOnnxExportTests.RandomGpt(bias, activation);
        var folder = GptOnnxExporter.Export(gpt, CharTokenizer.FromText("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ!"), Path.Combine(_dir, "export")).Folder;
        int[] prompt = [3, 17, 52, 0, 9];
        const int newTokens = 20;

        using var model = new Model(folder);
        using var parameters = new GeneratorParams(model);
        parameters.SetSearchOption("max_length", prompt.Length + newTokens);
        using var generator = new Generator(model, parameters);
        generator.AppendTokens(prompt);
        while (!generator.IsDone()) generator.GenerateNextToken();

        Assert.Equal(Greedy(gpt, prompt, newTokens), generator.GetSequence(0).ToArray());
    }

    // The prompt followed by `count` argmax tokens, decoded with Sharpformer's KV cache.
    private static int[] Greedy(Gpt gpt, int[] prompt, int count)
    {
        var ids = new List<int>(prompt);
        var cache = gpt.NewCache(1);
        using var tape = new Tape(recordGradients: false);
        var input = prompt;
        for (int n = 0; n < count; n++)
        {
            var logits = gpt.Forward(tape, input, 1, input.Length, cache: cache).Value.Span;
            var last = logits[^gpt.Config.VocabSize..];
            int best = 0;
            for (int i = 1; i < last.Length; i++) if (last[i] > last[best]) best = i;
            tape.Reset();
            ids.Add(best);
            input = [best];
        }
        return [.. ids];
    }
}
