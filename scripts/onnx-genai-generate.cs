#!/usr/bin/env -S dotnet run
// Greedy generation from a folder that `sharpformer export --format onnx` wrote, by ONNX Runtime GenAI: the
// decoder, its cache and the search are GenAI's, read from genai_config.json; only the text <-> ids step uses
// Sharpformer's tokenizer (the folder's tokenizer.json or char_tokenizer.json). The text matches `sharpformer generate --temperature 0`.
//   dotnet run scripts/onnx-genai-generate.cs -- FOLDER PROMPT [NEW_TOKENS]
#:package Microsoft.ML.OnnxRuntimeGenAI@0.18.0
#:package Microsoft.Extensions.AI.Abstractions@9.10.2
#:project ../src/Sharpformer/Sharpformer.csproj
using System.Text.Json;
using Microsoft.ML.OnnxRuntimeGenAI;

if (args.Length is < 2 or > 3 || (args.Length == 3 && !int.TryParse(args[2], out _)))
{
    Console.Error.WriteLine("usage: dotnet run scripts/onnx-genai-generate.cs -- FOLDER PROMPT [NEW_TOKENS]");
    return 2;
}
var folder = args[0];
int newTokens = args.Length == 3 ? int.Parse(args[2]) : 100;
var tokenizer = Sharpformer.Tokenizer.Load(folder);
using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "genai_config.json")));
int context = config.RootElement.GetProperty("model").GetProperty("context_length").GetInt32();
var prompt = tokenizer.Encode(args[1]);

using var model = new Model(folder);
using var parameters = new GeneratorParams(model);
parameters.SetSearchOption("max_length", Math.Min(prompt.Length + newTokens, context));
using var generator = new Generator(model, parameters);
var clock = System.Diagnostics.Stopwatch.StartNew();
generator.AppendTokens(prompt);
while (!generator.IsDone()) generator.GenerateNextToken();
var ids = generator.GetSequence(0).ToArray();
Console.WriteLine(tokenizer.Decode(ids));
int generated = ids.Length - prompt.Length;
Console.Error.WriteLine($"{generated} tokens in {clock.Elapsed.TotalSeconds:F3} s ({generated / clock.Elapsed.TotalSeconds:F0} tokens/s, the prompt included)");
return 0;
