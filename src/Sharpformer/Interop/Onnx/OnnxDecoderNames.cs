using System.Globalization;

namespace Sharpformer.Interop.Onnx;

/// <summary>
/// The names of an exported decoder's files, inputs and outputs: ONNX Runtime GenAI's decoder conventions.
/// In: input_ids (batch, sequence_length) int64; attention_mask (batch, total_sequence_length) int64, 1 for a
/// real token and 0 for padding; position_ids (batch, sequence_length) int64; past_key_values.N.key and .value
/// (batch, heads, past_sequence_length, head_size) fp32, with past_sequence_length 0 for a prompt.
/// Out: logits (batch, sequence_length, vocab) fp32; present.N.key and .value (batch, heads,
/// total_sequence_length, head_size): the past with the new positions appended, to feed back as the next past.
/// </summary>
internal static class OnnxDecoderNames
{
    public const string ModelFile = "model.onnx", ExternalDataFile = "model.onnx.data", GenAiConfigFile = "genai_config.json";

    public const string InputIds = "input_ids", AttentionMask = "attention_mask", PositionIds = "position_ids", Logits = "logits";

    /// <summary>printf-style patterns (%d = layer), as genai_config.json gives them.</summary>
    public const string PastKeyPattern = "past_key_values.%d.key", PastValuePattern = "past_key_values.%d.value",
        PresentKeyPattern = "present.%d.key", PresentValuePattern = "present.%d.value";

    /// <summary>The dynamic axes' names.</summary>
    public const string BatchAxis = "batch_size", SequenceAxis = "sequence_length", PastSequenceAxis = "past_sequence_length",
        TotalSequenceAxis = "total_sequence_length";

    public static string PastKey(int layer) => Layer(PastKeyPattern, layer);
    public static string PastValue(int layer) => Layer(PastValuePattern, layer);
    public static string PresentKey(int layer) => Layer(PresentKeyPattern, layer);
    public static string PresentValue(int layer) => Layer(PresentValuePattern, layer);

    private static string Layer(string pattern, int layer) => pattern.Replace("%d", layer.ToString(CultureInfo.InvariantCulture));
}
