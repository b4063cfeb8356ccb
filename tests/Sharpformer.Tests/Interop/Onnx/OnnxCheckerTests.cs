using System.Diagnostics;
using Sharpformer.Interop.Onnx;

namespace Sharpformer.Tests.Interop.Onnx;

/// <summary>
/// The ONNX project's own validator, onnx.checker with full_check (types and shapes inferred through every
/// node), accepts the exported file, inline and with external data. Needs Python's onnx module (Debian:
/// python3-onnx, which .ci/run installs); skips saying so where it is absent.
/// </summary>
public sealed class OnnxCheckerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sharpformer-onnx-check-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void OnnxCheckerAcceptsTheExport(bool externalData)
    {
        var python = PythonWithOnnx();
        Assert.SkipWhen(python == null, "Python's onnx module is not installed (Debian: apt-get install python3-onnx)");
        var model = GptOnnxExportTests.RandomGpt(bias: !externalData, activation: externalData ? "relu" : "gelu");
        var export = GptOnnxExporter.Export(model, null, Path.Combine(_dir, "model"), externalDataThreshold: externalData ? 0 : GptOnnxExporter.DefaultExternalDataThreshold);
        var (code, output) = Run(python!, "-c",
            "import sys, onnx; onnx.checker.check_model(sys.argv[1], full_check=True); " +
            "m = onnx.load(sys.argv[1]); print(m.ir_version, m.opset_import[0].version, len(m.graph.node))", export.ModelPath);
        Assert.True(code == 0, output);
        var fields = output.Trim().Split(' ');
        Assert.Equal(["8", GptOnnxExporter.Opset.ToString()], fields[..2]);
    }

    /// <summary>Debian's python3 first (python3-onnx installs there), then whatever python3 the PATH finds.</summary>
    private static string? PythonWithOnnx()
    {
        foreach (var python in new[] { "/usr/bin/python3", "python3" })
        {
            try
            {
                if (Run(python, "-c", "import onnx").Code == 0) return python;
            }
            catch (System.ComponentModel.Win32Exception) { }   // no such program
        }
        return null;
    }

    private static (int Code, string Output) Run(string program, params string[] args)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result + stderr);
    }
}
