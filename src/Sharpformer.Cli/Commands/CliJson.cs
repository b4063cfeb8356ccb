using System.Text.Json.Serialization;
using Sharpformer.Inspection;
using Sharpformer.Models;

namespace Sharpformer.Cli.Commands;

/// <summary>
/// Source-generated JSON of the commands' --json results (and of the files they read): no reflection, so the
/// native (AOT) build prints the same. Property names are snake_case; NaN and ±∞ are written as "NaN", "Infinity".
/// The values of a bench row's extra fields are one of the primitive types listed here.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(TrainCommand.Result), TypeInfoPropertyName = "TrainResult")]
[JsonSerializable(typeof(TrainTranslationCommand.Result), TypeInfoPropertyName = "TrainTranslationResult")]
[JsonSerializable(typeof(DemoCommand.Result), TypeInfoPropertyName = "DemoResult")]
[JsonSerializable(typeof(EvalCommand.Result), TypeInfoPropertyName = "EvalResult")]
[JsonSerializable(typeof(RecallCommand.Result), TypeInfoPropertyName = "RecallResult")]
[JsonSerializable(typeof(ListOpsCommand.TrainResult), TypeInfoPropertyName = "ListOpsTrainResult")]
[JsonSerializable(typeof(ListOpsCommand.GenerateResult), TypeInfoPropertyName = "ListOpsGenerateResult")]
[JsonSerializable(typeof(CorpusCommand.Result), TypeInfoPropertyName = "CorpusResult")]
[JsonSerializable(typeof(AttentionErrorCommand.Row), TypeInfoPropertyName = "AttentionErrorRow")]
[JsonSerializable(typeof(InspectCommand.Result), TypeInfoPropertyName = "InspectResult")]
[JsonSerializable(typeof(OnnxExport.Result), TypeInfoPropertyName = "ExportResult")]
[JsonSerializable(typeof(TokenizerTrainCommand.Result), TypeInfoPropertyName = "TokenizerTrainResult")]
[JsonSerializable(typeof(TokenizerStatsCommand.Result), TypeInfoPropertyName = "TokenizerStatsResult")]
[JsonSerializable(typeof(Explanation))]
[JsonSerializable(typeof(GptConfig))]
[JsonSerializable(typeof(Dictionary<string, object>))]
[JsonSerializable(typeof(double))]
[JsonSerializable(typeof(float))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(bool))]
internal sealed partial class CliJson : JsonSerializerContext;
