using Google.Protobuf;
using Sharpformer.Interop.Onnx.Proto;
using Sharpformer.Models;
using Sharpformer.Tensors;
using Sharpformer.Tokenization;

namespace Sharpformer.Interop.Onnx;

/// <summary>What an export wrote: the folder, the model file and the external weights file (null when inline).</summary>
internal sealed record OnnxExportResult(string Folder, string ModelPath, string? ExternalDataPath);

/// <summary>
/// Writes a <see cref="Gpt"/> as an ONNX decoder with a key–value cache (names and shapes in
/// <see cref="OnnxDecoderNames"/>), the genai_config.json that ONNX Runtime GenAI reads, and the tokenizer beside
/// them under the name a checkpoint gives it (tokenizer.json in Hugging Face's format for BPE, char_tokenizer.json). Only exact attention exports: the sparse and hashing variants choose keys by rules the graph does not
/// reproduce, so their models are refused.
/// </summary>
internal static class GptOnnxExporter
{
    /// <summary>The ONNX operator set the graph uses (standard domain only).</summary>
    public const int Opset = GptOnnxGraph.Opset;

    /// <summary>
    /// Weights beyond this many bytes go to <see cref="OnnxDecoderNames.ExternalDataFile"/>: protobuf cannot
    /// serialise a message of 2 GiB or more, and the graph itself needs some room below that.
    /// </summary>
    public const long DefaultExternalDataThreshold = (1L << 31) - (64L << 20);

    /// <summary>
    /// Attention variants whose result the exported graph reproduces: the full softmax over every visible key, of
    /// the learned Q, K, V (full, flash) or of the input itself (parameter-free).
    /// </summary>
    public static IReadOnlyList<string> ExactAttention { get; } = ["full", "flash", "parameter-free"];

    /// <summary>
    /// Exports into <paramref name="folder"/> (replaced whole; written under a temporary name, then renamed). A folder
    /// that exists must be empty or an earlier export: one holding anything else (a checkpoint) is refused.
    /// <paramref name="externalDataThreshold"/>: weights of more bytes than this are stored outside the model file.
    /// </summary>
    public static OnnxExportResult Export(Gpt model, ITokenizer? tokenizer, string folder, long externalDataThreshold = DefaultExternalDataThreshold)
    {
        RequireExactAttention(model.Config);
        var full = Path.GetFullPath(folder);
        RequireReplaceable(full);
        var partial = full + ".partial";
        if (Directory.Exists(partial)) Directory.Delete(partial, recursive: true);
        Directory.CreateDirectory(partial);
        bool external = model.ParameterCount() * sizeof(float) > externalDataThreshold;
        WriteModel(model, partial, external);
        AtomicFile.WriteAllText(Path.Combine(partial, OnnxDecoderNames.GenAiConfigFile), GenAiConfig.ToJson(model.Config, tokenizer));
        if (tokenizer != null) TokenizerFiles.Save(tokenizer, Path.Combine(partial, Training.Checkpoint.TokenizerFileFor(tokenizer)));
        var old = full + ".old";
        if (Directory.Exists(old)) Directory.Delete(old, recursive: true);
        if (Directory.Exists(full)) Directory.Move(full, old);
        Directory.Move(partial, full);
        if (Directory.Exists(old)) Directory.Delete(old, recursive: true);
        return new OnnxExportResult(full, Path.Combine(full, OnnxDecoderNames.ModelFile),
            external ? Path.Combine(full, OnnxDecoderNames.ExternalDataFile) : null);
    }

    /// <summary>Throws an <see cref="ArgumentException"/> naming the variant when the model's attention is not exact.</summary>
    public static void RequireExactAttention(GptConfig config)
    {
        var kind = config.Attention.Split(':')[0];
        if (ExactAttention.Contains(kind)) return;
        string why = Attention.AttentionVariants.Create(config.Attention).MergesQueryKey
            ? "computes its scores with one merged C × C matrix per head, which the exported graph (GPT-2's c_attn) has no place for"
            : "is approximate (it attends to a chosen subset of keys) and the exported graph computes exact attention";
        throw new ArgumentException($"ONNX export: attention '{config.Attention}' {why}; only models with " +
            $"{string.Join(", ", ExactAttention.SkipLast(1))} or {ExactAttention[^1]} attention export.");
    }

    private static readonly string[] ExportFiles =
        [OnnxDecoderNames.ModelFile, OnnxDecoderNames.ExternalDataFile, OnnxDecoderNames.GenAiConfigFile,
            Training.Checkpoint.TokenizerFile, Training.Checkpoint.CharTokenizerFile];

    private static void RequireReplaceable(string folder)
    {
        if (File.Exists(folder)) throw new ArgumentException($"ONNX export: {folder} is a file; the export writes a folder.");
        if (!Directory.Exists(folder)) return;
        var foreign = Directory.EnumerateFileSystemEntries(folder).Select(Path.GetFileName).FirstOrDefault(n => !ExportFiles.Contains(n));
        if (foreign != null)
            throw new ArgumentException($"ONNX export: {folder} holds '{foreign}', which an export does not write; the export replaces its folder whole, so give a new or empty one.");
    }

    private static void WriteModel(Gpt model, string folder, bool external)
    {
        var modelPath = Path.Combine(folder, OnnxDecoderNames.ModelFile);
        if (!external)
        {
            var inline = Model(GptOnnxGraph.Build(model, OnnxInitializers.Inline()));
            AtomicFile.Write(modelPath, s => inline.WriteTo(s));
            return;
        }
        ModelProto? proto = null;
        AtomicFile.Write(Path.Combine(folder, OnnxDecoderNames.ExternalDataFile),
            s => proto = Model(GptOnnxGraph.Build(model, OnnxInitializers.External(s, OnnxDecoderNames.ExternalDataFile))));
        AtomicFile.Write(modelPath, s => proto!.WriteTo(s));
    }

    private static ModelProto Model(GraphProto graph)
    {
        var model = new ModelProto
        {
            IrVersion = GptOnnxGraph.IrVersion,
            ProducerName = "sharpformer",
            ProducerVersion = typeof(GptOnnxExporter).Assembly.GetName().Version?.ToString() ?? "0",
            Graph = graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = GptOnnxGraph.Opset });
        return model;
    }
}
