using Sharpformer.Tensors;

namespace Sharpformer.Autograd;

/// <summary>
/// Records the ops of one forward pass so that <see cref="Backward"/> can run their backward kernels in
/// reverse order. Every op is a method of this class (one file per group: Tape.MatMul.cs, Tape.Norm.cs, …):
/// it runs the forward kernel into a pooled buffer and pushes a closure that runs the backward kernel.
/// Backward kernels accumulate (dX += …), so a value used twice simply receives both contributions.
/// <see cref="Reset"/> returns every intermediate buffer to <see cref="TensorPool"/>, so a training step
/// reuses the same memory each time. A tape with <c>recordGradients: false</c> is for inference: ops run
/// and allocate from the pool, but nothing is recorded.
/// <para>
/// Memory: every value stays readable until <see cref="Reset"/>, but an intermediate's gradient is given back to
/// the pool as soon as the backward step of the op that produced it has run (nothing reads it later), and so is
/// scratch that only a backward step reads; later backward steps reuse those buffers, so a step holds its forward
/// values plus a few gradients at a time rather than every gradient at once. The reset of a tape that recorded
/// gradients ends a training step for the pool (<see cref="TensorPool.EndStep"/>).
/// </para>
/// </summary>
internal sealed partial class Tape(bool recordGradients = true) : IDisposable
{
    private readonly List<(Variable Output, Action Step)> _backward = [];
    private readonly List<Tensor> _borrowed = [];
    private readonly HashSet<float[]> _held = []; // buffers of _borrowed not yet given back

    public bool RecordsGradients { get; } = recordGradients;

    /// <summary>
    /// When set, a fully connected layer computes each row as it would that row alone (<see cref="Kernels.Gemm.MultiplyRowsApart"/>),
    /// so the rows of one batch (tokens of different sequences decoded together) do not change one another's bits.
    /// </summary>
    public bool KeepsRowsApart { get; init; }

    /// <summary>A new intermediate of the given shape (contents undefined); it needs a gradient if any input does.</summary>
    internal Variable Result(int[] shape, string name, params Variable[] inputs)
    {
        bool needsGrad = RecordsGradients && inputs.Any(v => v.RequiresGrad);
        return new Variable(Borrow(shape), needsGrad, name);
    }

    /// <summary>A pooled scratch tensor that lives until <see cref="Reset"/>.</summary>
    internal Tensor Borrow(params int[] shape)
    {
        var t = TensorPool.Rent(shape);
        _borrowed.Add(t);
        _held.Add(t.Data);
        return t;
    }

    /// <summary>
    /// Gives a buffer this tape borrowed back to the pool before <see cref="Reset"/>, once nothing will read it
    /// (a no-op for any other tensor, or when it was already given back).
    /// </summary>
    internal void Release(Tensor t)
    {
        if (_held.Remove(t.Data)) TensorPool.Return(t);
    }

    internal Tensor BorrowZeroed(params int[] shape)
    {
        var t = Borrow(shape);
        t.Span.Clear();
        return t;
    }

    /// <summary>The gradient buffer of <paramref name="v"/>, created zeroed on first use.</summary>
    internal Tensor GradOf(Variable v)
    {
        if (v.Grad == null)
            v.Grad = BorrowZeroed(v.Shape);
        return v.Grad;
    }

    /// <summary>
    /// The gradient buffer of <paramref name="v"/> for a kernel that can either overwrite or accumulate:
    /// a gradient nobody has written yet is handed out uninitialised with <paramref name="accumulate"/>
    /// false (saving the zeroing pass), otherwise the existing one with <paramref name="accumulate"/> true.
    /// </summary>
    internal Tensor GradForWrite(Variable v, out bool accumulate)
    {
        accumulate = v.Grad != null;
        return v.Grad ??= Borrow(v.Shape);
    }

    /// <summary>Registers a backward step when any of <paramref name="inputs"/> needs a gradient.</summary>
    internal void Record(Variable output, Action backward)
    {
        if (output.RequiresGrad) _backward.Add((output, backward));
    }

    /// <summary>Back-propagates from a scalar loss (or any tensor, seeding its gradient with ones).</summary>
    public void Backward(Variable loss)
    {
        if (!RecordsGradients) throw new InvalidOperationException("This tape was created without gradient recording.");
        if (!loss.RequiresGrad) throw new ArgumentException($"backward: {loss} does not depend on any parameter.", nameof(loss));
        GradOf(loss).Span.Fill(1f);
        for (int i = _backward.Count - 1; i >= 0; i--)
        {
            var (output, step) = _backward[i];
            step();
            // Every consumer of output ran its backward step before this one: its gradient is spent.
            if (output.Grad is { } spent)
            {
                output.Grad = null;
                Release(spent);
            }
        }
        _backward.Clear();
    }

    /// <summary>Forgets the graph and returns all intermediate buffers to the pool.</summary>
    public void Reset()
    {
        _backward.Clear();
        bool endsStep = RecordsGradients && _borrowed.Count > 0;
        foreach (var t in _borrowed) Release(t);
        _borrowed.Clear();
        ReturnPatterns();
        if (endsStep) TensorPool.EndStep();
    }

    public void Dispose() => Reset();
}
