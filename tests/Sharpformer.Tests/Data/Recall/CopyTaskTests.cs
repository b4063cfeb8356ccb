using Sharpformer.Data;
using Sharpformer.Data.Recall;
using Sharpformer.Tensors;

namespace Sharpformer.Tests.Data.Recall;

public class CopyTaskTests
{
    [Theory]
    [InlineData(1024, 16)]
    [InlineData(33, 16)]
    [InlineData(3, 1)]
    public void TheCopyRepeatsTheSegmentAndIsTheOnlyThingScored(int length, int segment)
    {
        var task = new CopyTask(length, segment, symbols: 8);
        var rng = new Rng(5);
        var inputs = new int[length];
        var targets = new int[length];
        for (int draw = 0; draw < 50; draw++)
        {
            task.Sample(rng, inputs, targets);
            int sep = task.SeparatorAt;
            Assert.Equal(CopyTask.Separator, inputs[sep]);
            var original = inputs[..sep].Where(id => id != CopyTask.Filler).ToArray();
            Assert.Equal(inputs[(sep + 1)..], original);
            int start = Array.IndexOf(inputs, original[0]);
            Assert.Equal(inputs[(sep + 1)..], inputs[start..(start + segment)]);
            for (int i = 0; i < length; i++)
            {
                bool scored = i >= sep && i < length - 1;
                Assert.Equal(scored ? inputs[i + 1] : ISequenceTask.IgnoreIndex, targets[i]);
            }
        }
    }

    [Fact]
    public void SameSeedSameSequence()
    {
        var task = new CopyTask(128, 8, 8);
        int[] Draw(ulong seed)
        {
            var inputs = new int[128];
            task.Sample(new Rng(seed), inputs, new int[128]);
            return inputs;
        }
        Assert.Equal(Draw(2), Draw(2));
        Assert.NotEqual(Draw(2), Draw(3));
    }

    [Fact]
    public void TooShortIsRejected() =>
        Assert.Contains("length", Assert.Throws<ArgumentException>(() => new CopyTask(32, 16, 8)).Message);
}
