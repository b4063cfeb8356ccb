using Sharpformer;

// Train a tiny GPT for a few seconds, save it, load it back and stream a continuation.
var text = string.Concat(Enumerable.Repeat("To be, or not to be, that is the question. ", 300));
var progress = new Progress<TrainingProgress>(p =>
{
    if (p.ValidationLoss is float loss) Console.WriteLine($"step {p.Step}/{p.TotalSteps}: validation loss {loss:F3}");
});
var trained = LanguageModel.Train(text, new TrainingSettings { Preset = "tiny", Steps = 150, Seed = 1 }, progress);

var folder = Path.Combine(Path.GetTempPath(), "sharpformer-quickstart");
trained.Save(folder);
var model = LanguageModel.Load(folder);
Console.WriteLine($"{model.ParameterCount:N0} parameters, {model.VocabularySize} tokens, context {model.ContextLength}");

var settings = new GenerationSettings { MaxNewTokens = 40, Temperature = 0 };
await foreach (var piece in model.GenerateAsync("To be", settings))
    Console.Write(piece);
Console.WriteLine();
