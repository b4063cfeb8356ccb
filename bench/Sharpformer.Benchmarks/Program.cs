using BenchmarkDotNet.Running;
using Sharpformer.Benchmarks;

// `-- tokenizer`: the side-by-side with Microsoft.ML.Tokenizers (same text, same process, same vocabulary).
// Anything else goes to BenchmarkDotNet (e.g. `-- --filter *Tokenizer*`).
if (args.Length > 0 && args[0] == "tokenizer")
    return TokenizerSideBySide.Run(args[1..], Console.Out);
BenchmarkSwitcher.FromAssembly(typeof(TokenizerSideBySide).Assembly).Run(args);
return 0;
