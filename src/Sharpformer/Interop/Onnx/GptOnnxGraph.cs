using Sharpformer.Models;
using Sharpformer.Nn;
using Sharpformer.Interop.Onnx.Proto;
using static Sharpformer.Interop.Onnx.OnnxDecoderNames;
using DataType = Sharpformer.Interop.Onnx.Proto.TensorProto.Types.DataType;

namespace Sharpformer.Interop.Onnx;

/// <summary>
/// The ONNX graph of a <see cref="Gpt"/> with a key–value cache, in opset-17 standard operators only:
/// Gather for the embeddings, LayerNormalization, MatMul (+ Add) for every linear map, Split/Reshape/Transpose
/// for the heads, Concat of past and new keys and values, a causal and padding mask built with Range,
/// LessOrEqual and Where, Softmax, GELU written out with Tanh (or Erf), and the tied head as one Gemm against
/// the token embedding (the same initializer the Gather reads). Parameter-free attention takes the heads of the
/// block's input as Q, K and V. Weights are named as GPT-2's.
/// </summary>
internal static class GptOnnxGraph
{
    public const int Opset = 17;

    /// <summary>ONNX IR version 8: the one that opset 17 came with.</summary>
    public const int IrVersion = 8;

    /// <summary>What the mask adds to a score a query may not see: exp of it underflows to 0, and a row with no visible key stays finite.</summary>
    private const float Masked = -1e9f;

    /// <summary>Sharpformer's LayerNorm epsilon (<see cref="Autograd.Tape.LayerNorm"/>'s default, which every module uses).</summary>
    private const float LayerNormEpsilon = 1e-5f;

    public static GraphProto Build(Gpt model, OnnxInitializers initializers)
    {
        var c = model.Config;
        var g = new OnnxGraphBuilder(initializers);
        g.Input(InputIds, DataType.Int64, BatchAxis, SequenceAxis);
        g.Input(AttentionMask, DataType.Int64, BatchAxis, TotalSequenceAxis);
        g.Input(PositionIds, DataType.Int64, BatchAxis, SequenceAxis);
        for (int l = 0; l < c.Layers; l++)
        {
            g.Input(PastKey(l), DataType.Float, BatchAxis, c.Heads, PastSequenceAxis, c.HeadSize);
            g.Input(PastValue(l), DataType.Float, BatchAxis, c.Heads, PastSequenceAxis, c.HeadSize);
        }

        var wte = g.Weight("wte.weight", model.TokenEmbedding.Weight.Value.Span, c.VocabSize, c.Embedding);
        var wpe = g.Weight("wpe.weight", model.PositionEmbedding.Weight.Value.Span, c.BlockSize, c.Embedding);
        // (B, T) ids and positions -> (B, T, C)
        var tok = g.Node("Gather", "token_embeddings", [wte, InputIds]);
        var pos = g.Node("Gather", "position_embeddings", [wpe, PositionIds]);
        var x = g.Node("Add", "embeddings", [tok, pos]);
        var maskBias = MaskBias(g);
        for (int l = 0; l < c.Layers; l++) x = Block(g, model.Blocks[l], l, x, maskBias, c);
        x = LayerNorm(g, model.FinalNorm, "ln_f", x);
        g.Output(Logits, TiedHead(g, x, wte, c), DataType.Float, BatchAxis, SequenceAxis, c.VocabSize);
        return g.Graph;
    }

    /// <summary>
    /// (B, 1, T, S) float: 0 where query t (at position past + t) may attend to key s — s ≤ past + t and
    /// attention_mask[b, s] = 1 — else <see cref="Masked"/>. S = total_sequence_length = past + T.
    /// </summary>
    private static string MaskBias(OnnxGraphBuilder g)
    {
        string Dim(string value, long axis) => g.Node("Gather", $"{value}_dim{axis}", [g.Node("Shape", $"{value}_shape", [value]), g.Int64Scalar("axis", axis)]);
        var past = Dim(PastKey(0), 2);
        var time = Dim(InputIds, 1);
        var total = Dim(AttentionMask, 1);
        var zero = g.Int64Scalar("zero", 0);
        var one = g.Int64Scalar("one", 1);
        var queryPositions = g.Node("Add", "query_positions", [g.Node("Range", "query_steps", [zero, time, one]), past]);   // (T)
        var keyPositions = g.Node("Range", "key_positions", [zero, total, one]);                                             // (S)
        var causal = g.Node("LessOrEqual", "causal", [                                                                        // (T, S)
            g.Node("Unsqueeze", "key_row", [keyPositions, g.Int64s("axes", 0)]),
            g.Node("Unsqueeze", "query_column", [queryPositions, g.Int64s("axes", 1)])]);
        var present = g.Node("Cast", "key_present", [AttentionMask], OnnxGraphBuilder.Int("to", (long)DataType.Bool)); // (B, S)
        var allowed = g.Node("And", "allowed", [causal, g.Node("Unsqueeze", "key_present_4d", [present, g.Int64s("axes", 1, 2)])]); // (B, 1, T, S)
        return g.Node("Where", "mask_bias", [allowed, g.Scalar("visible", 0f), g.Scalar("masked", Masked)]);
    }

    // x: (B, T, C) -> (B, T, C): x + Attn(LN1(x)), then (unless the block has none) x + MLP(LN2(x)); writes present.N.key/value.
    private static string Block(OnnxGraphBuilder g, TransformerBlock block, int l, string x, string maskBias, GptConfig c)
    {
        var prefix = $"h.{l}";
        var attended = Attention(g, block.Attn, prefix, l, LayerNorm(g, block.Ln1, $"{prefix}.ln_1", x), maskBias, c);
        x = g.Node("Add", $"{prefix}.residual_attn", [x, attended]);
        if (block.Mlp is not { } feedForward || block.Ln2 is not { } ln2) return x; // activation none: no feed-forward layer
        var mlp = Mlp(g, feedForward, prefix, LayerNorm(g, ln2, $"{prefix}.ln_2", x));
        return g.Node("Add", $"{prefix}.residual_mlp", [x, mlp]);
    }

    // h: (B, T, C) -> (B, T, C). Keys and values of the new positions are appended to the past ones.
    private static string Attention(OnnxGraphBuilder g, SelfAttention attn, string prefix, int l, string h, string maskBias, GptConfig c)
    {
        var headShape = g.Int64s("head_shape", 0, 0, c.Heads, c.HeadSize);
        // (B, T, C) -> (B, T, nh, hs) -> (B, nh, T, hs)
        string Heads(string v) => g.Node("Transpose", $"{v}_heads", [g.Node("Reshape", $"{v}_split", [v, headShape])],
            OnnxGraphBuilder.Ints("perm", 0, 2, 1, 3));
        string q, kNew, vNew;
        if (attn.Variant.ReadsInputAsQueryKeyValue) q = kNew = vNew = Heads(h);                                 // Q = K = V = X; c_attn unused
        else
        {
            var qkv = Linear(g, attn.Qkv, $"{prefix}.attn.c_attn", h);                                         // (B, T, 3C)
            var parts = g.Node("Split", [$"{prefix}.q", $"{prefix}.k", $"{prefix}.v"], [qkv, g.Int64s("split", c.Embedding, c.Embedding, c.Embedding)],
                OnnxGraphBuilder.Int("axis", 2));
            (q, kNew, vNew) = (Heads(parts[0]), Heads(parts[1]), Heads(parts[2]));
        }
        var k = g.Node("Concat", $"{prefix}.k_all", [PastKey(l), kNew], OnnxGraphBuilder.Int("axis", 2)); // (B, nh, S, hs)
        var v = g.Node("Concat", $"{prefix}.v_all", [PastValue(l), vNew], OnnxGraphBuilder.Int("axis", 2));
        g.Output(PresentKey(l), k, DataType.Float, BatchAxis, c.Heads, TotalSequenceAxis, c.HeadSize);
        g.Output(PresentValue(l), v, DataType.Float, BatchAxis, c.Heads, TotalSequenceAxis, c.HeadSize);
        var kT = g.Node("Transpose", $"{prefix}.k_t", [k], OnnxGraphBuilder.Ints("perm", 0, 1, 3, 2));                // (B, nh, hs, S)
        var scores = g.Node("Mul", $"{prefix}.scores", [g.Node("MatMul", $"{prefix}.qk", [q, kT]), g.Scalar("scale", 1f / MathF.Sqrt(c.HeadSize))]);
        var weights = g.Node("Softmax", $"{prefix}.weights", [g.Node("Add", $"{prefix}.masked_scores", [scores, maskBias])],
            OnnxGraphBuilder.Int("axis", -1));                                                                        // (B, nh, T, S)
        var y = g.Node("MatMul", $"{prefix}.y", [weights, v]);                                                       // (B, nh, T, hs)
        // (B, nh, T, hs) -> (B, T, nh, hs) -> (B, T, C)
        var merged = g.Node("Reshape", $"{prefix}.y_merged", [
            g.Node("Transpose", $"{prefix}.y_t", [y], OnnxGraphBuilder.Ints("perm", 0, 2, 1, 3)), g.Int64s("merged_shape", 0, 0, c.Embedding)]);
        return Linear(g, attn.Proj, $"{prefix}.attn.c_proj", merged);
    }

    // (B, T, C) -> (B, T, 4C) -> activation -> (B, T, C)
    private static string Mlp(OnnxGraphBuilder g, FeedForward mlp, string prefix, string h)
    {
        var up = Linear(g, mlp.Up, $"{prefix}.mlp.c_fc", h);
        var act = mlp.Activation switch
        {
            Activation.Gelu => GeluTanh(g, up),
            Activation.GeluExact => GeluErf(g, up),
            Activation.Relu => g.Node("Relu", $"{up}_relu", [up]),
            Activation.Identity => up,
            _ => throw new ArgumentException($"ONNX export: activation {mlp.Activation} has no mapping."),
        };
        return Linear(g, mlp.Down, $"{prefix}.mlp.c_proj", act);
    }

    // ½·u·(1 + tanh(√(2/π)·(u + 0.044715·u³))), GPT-2's form.
    private static string GeluTanh(OnnxGraphBuilder g, string u)
    {
        var cube = g.Node("Mul", $"{u}_cube", [g.Node("Mul", $"{u}_square", [u, u]), u]);
        var inner = g.Node("Add", $"{u}_inner", [u, g.Node("Mul", $"{u}_cube_scaled", [cube, g.Scalar("gelu_k1", 0.044715f)])]);
        var tanh = g.Node("Tanh", $"{u}_tanh", [g.Node("Mul", $"{u}_tanh_arg", [inner, g.Scalar("gelu_k0", MathF.Sqrt(2f / MathF.PI))])]);
        return g.Node("Mul", $"{u}_gelu", [g.Node("Mul", $"{u}_half", [u, g.Scalar("half", 0.5f)]), g.Node("Add", $"{u}_one_plus", [tanh, g.Scalar("one_f", 1f)])]);
    }

    // ½·u·(1 + erf(u/√2)) = u·Φ(u).
    private static string GeluErf(OnnxGraphBuilder g, string u)
    {
        var erf = g.Node("Erf", $"{u}_erf", [g.Node("Mul", $"{u}_scaled", [u, g.Scalar("inv_sqrt2", 1f / MathF.Sqrt(2f))])]);
        return g.Node("Mul", $"{u}_gelu", [g.Node("Mul", $"{u}_half", [u, g.Scalar("half", 0.5f)]), g.Node("Add", $"{u}_one_plus", [erf, g.Scalar("one_f", 1f)])]);
    }

    // (..., in) -> (..., out): x·W + b, with W stored (in, out) as GPT-2's Conv1D stores it.
    private static string Linear(OnnxGraphBuilder g, Nn.Linear linear, string name, string x)
    {
        var w = linear.Weight.Value;                                        // (out, in)
        int outFeatures = w.Dim(0), inFeatures = w.Dim(1);
        var transposed = new float[w.Size];                                // (in, out)
        var src = w.Span;
        for (int o = 0; o < outFeatures; o++)
            for (int i = 0; i < inFeatures; i++) transposed[i * outFeatures + o] = src[o * inFeatures + i];
        var y = g.Node("MatMul", $"{name}.matmul", [x, g.Weight($"{name}.weight", transposed, inFeatures, outFeatures)]);
        if (linear.Bias == null) return y;
        return g.Node("Add", $"{name}.out", [y, g.Weight($"{name}.bias", linear.Bias.Value.Span, outFeatures)]);
    }

    private static string LayerNorm(OnnxGraphBuilder g, Nn.LayerNorm norm, string name, string x)
    {
        List<string> inputs = [x, g.Weight($"{name}.weight", norm.Weight.Value.Span, norm.Weight.Value.Size)];
        if (norm.Bias != null) inputs.Add(g.Weight($"{name}.bias", norm.Bias.Value.Span, norm.Bias.Value.Size));
        return g.Node("LayerNormalization", $"{name}.out", inputs, OnnxGraphBuilder.Int("axis", -1), OnnxGraphBuilder.Float("epsilon", LayerNormEpsilon));
    }

    // (B, T, C) -> (B·T, C) -> Gemm with wteᵀ -> (B·T, V) -> (B, T, V): the head tied to the token embedding.
    private static string TiedHead(OnnxGraphBuilder g, string x, string wte, GptConfig c)
    {
        var rows = g.Node("Reshape", "head_rows", [x, g.Int64s("rows_shape", -1, c.Embedding)]);
        var logits = g.Node("Gemm", "head_logits", [rows, wte], OnnxGraphBuilder.Int("transB", 1));
        var shape = g.Node("Concat", "logits_shape", [g.Node("Shape", "input_ids_shape", [InputIds]), g.Int64s("vocab", c.VocabSize)],
            OnnxGraphBuilder.Int("axis", 0));
        return g.Node("Reshape", "logits_3d", [logits, shape]);
    }
}
