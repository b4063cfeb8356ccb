using System.CommandLine;
using Sharpformer.Cli;

return CliApp.Run(args);
