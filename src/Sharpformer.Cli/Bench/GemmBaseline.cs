using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;
using Sharpformer.Kernels;

namespace Sharpformer.Cli.Bench;

/// <summary>
/// Another build of the library's GEMM, loaded beside this one so that `bench gemm --baseline` can time
/// both in the same process, call for call. On a machine whose speed drifts by 10–20% from one minute
/// to the next, only such paired runs show a change of a few percent.
/// </summary>
internal sealed class GemmBaseline
{
    private delegate void MultiplyFn(bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc, float alpha, float beta);

    private delegate void MultiplyBatchedFn(int batch, bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda, long strideA, ReadOnlySpan<float> b, int ldb, long strideB,
        Span<float> c, int ldc, long strideC, float alpha, float beta);

    /// <summary>Why loading is not trim-safe: it finds types and methods of an assembly the trimmer never saw by their names.</summary>
    public const string BindsByName = "Loads another build's Sharpformer.Core.dll and binds Gemm and Parallelism members by name";

    private readonly MultiplyFn _multiply;
    private readonly MultiplyBatchedFn _multiplyBatched;
    private readonly PropertyInfo _threadCount;

    private GemmBaseline(MultiplyFn multiply, MultiplyBatchedFn multiplyBatched, PropertyInfo threadCount)
    {
        _multiply = multiply;
        _multiplyBatched = multiplyBatched;
        _threadCount = threadCount;
    }

    /// <summary>
    /// Loads Sharpformer.Core.dll from <paramref name="path"/> (the file, or the folder holding it). A native (AOT)
    /// build cannot load assemblies and refuses, saying so, before it tries.
    /// </summary>
    [RequiresUnreferencedCode(BindsByName)]
    public static GemmBaseline Load(string path)
    {
        if (!RuntimeFeature.IsDynamicCodeSupported)
            throw new ArgumentException("--baseline loads another build's Sharpformer.Core.dll, which a native (AOT) build cannot do; " +
                "run the JIT build instead: dotnet sharpformer.dll bench gemm --baseline ….");
        string file = Directory.Exists(path) ? Path.Combine(path, "Sharpformer.Core.dll") : path;
        if (!File.Exists(file))
            throw new ArgumentException($"--baseline: no file '{file}'; expected Sharpformer.Core.dll of another build, or its folder.");
        Assembly assembly;
        try
        {
            assembly = new BaselineContext(Path.GetFullPath(file)).LoadFromAssemblyPath(Path.GetFullPath(file));
        }
        catch (BadImageFormatException e)
        {
            throw new ArgumentException($"--baseline: '{file}' is not a .NET assembly ({e.Message}).");
        }
        Type gemm = assembly.GetType(typeof(Gemm).FullName!)
            ?? throw new ArgumentException($"--baseline: '{file}' has no {typeof(Gemm).FullName}; expected Sharpformer.Core.dll.");
        Type parallelism = assembly.GetType(typeof(Parallelism).FullName!)
            ?? throw new ArgumentException($"--baseline: '{file}' has no {typeof(Parallelism).FullName}.");
        return new GemmBaseline(
            Bind<MultiplyFn>(gemm, nameof(Gemm.Multiply), file),
            Bind<MultiplyBatchedFn>(gemm, nameof(Gemm.MultiplyBatched), file),
            parallelism.GetProperty(nameof(Parallelism.ThreadCount))
                ?? throw new ArgumentException($"--baseline: '{file}' has no Parallelism.ThreadCount."));
    }

    // The public method whose parameters match the delegate's, bound without reflection on each call.
    [RequiresUnreferencedCode(BindsByName)]
    private static T Bind<T>(Type gemm, string name, string file) where T : Delegate
    {
        Type[] wanted = typeof(T).GetMethod("Invoke")!.GetParameters().Select(p => p.ParameterType).ToArray();
        MethodInfo method = gemm.GetMethod(name, BindingFlags.Public | BindingFlags.Static, wanted)
            ?? throw new ArgumentException($"--baseline: '{file}' has no Gemm.{name} with the parameters this build has.");
        return method.CreateDelegate<T>();
    }

    public int ThreadCount
    {
        set => _threadCount.SetValue(null, value);
    }

    public void Multiply(bool transA, bool transB, int m, int n, int k, float[] a, int lda, float[] b, int ldb, float[] c, int ldc) =>
        _multiply(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, 1f, 0f);

    public void MultiplyBatched(int batch, bool transA, bool transB, int m, int n, int k,
        float[] a, int lda, long strideA, float[] b, int ldb, long strideB, float[] c, int ldc, long strideC) =>
        _multiplyBatched(batch, transA, transB, m, n, k, a, lda, strideA, b, ldb, strideB, c, ldc, strideC, 1f, 0f);

    /// <summary>
    /// Alternates <paramref name="calls"/> calls of <paramref name="ours"/> and of <paramref name="baseline"/>,
    /// <paramref name="repeats"/> times; returns the median of the per-repeat ratios baseline time / our time
    /// (above 1: this build is faster) and each side's median seconds.
    /// </summary>
    public static (double Ratio, double OurSeconds, double BaselineSeconds) Pair(Action ours, Action baseline, int calls, int repeats)
    {
        ours();
        baseline();
        var ratios = new double[repeats];
        var oursSeconds = new double[repeats];
        var baselineSeconds = new double[repeats];
        for (int r = 0; r < repeats; r++)
        {
            // Alternate which build goes first, so neither always runs on a machine the other just warmed.
            if (r % 2 == 0)
            {
                oursSeconds[r] = Time(ours, calls);
                baselineSeconds[r] = Time(baseline, calls);
            }
            else
            {
                baselineSeconds[r] = Time(baseline, calls);
                oursSeconds[r] = Time(ours, calls);
            }
            ratios[r] = baselineSeconds[r] / oursSeconds[r];
        }
        return (Stopwatches.Median(ratios), Stopwatches.Median(oursSeconds), Stopwatches.Median(baselineSeconds));
    }

    private static double Time(Action action, int calls)
    {
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < calls; i++) action();
        return Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    /// <summary>Loads the baseline's Sharpformer assemblies from its folder and everything else from this process.</summary>
    private sealed class BaselineContext(string corePath) : AssemblyLoadContext(nameof(GemmBaseline))
    {
        private readonly string _folder = Path.GetDirectoryName(corePath)!;

        [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Only GemmBaseline.Load creates this context, and it is marked and refused in a native build.")]
        protected override Assembly? Load(AssemblyName name)
        {
            string candidate = Path.Combine(_folder, name.Name + ".dll");
            return name.Name!.StartsWith("Sharpformer", StringComparison.Ordinal) && File.Exists(candidate)
                ? LoadFromAssemblyPath(candidate)
                : null;
        }
    }
}
