namespace Sharpformer.Data.ListOps;

/// <summary>
/// A folder of ListOps splits. <see cref="Save"/> writes train.tsv, val.tsv and test.tsv; <see cref="Load"/> reads
/// those names or, failing them, the LRA release's basic_train.tsv, basic_val.tsv and basic_test.tsv.
/// </summary>
internal static class ListOpsDataset
{
    public static readonly string[] SplitNames = ["train", "val", "test"];

    public static IReadOnlyList<string> Save(string dir, ListOpsSplits splits)
    {
        Directory.CreateDirectory(dir);
        var paths = SplitNames.Select(name => Path.Combine(dir, name + ".tsv")).ToArray();
        ListOpsTsv.Write(paths[0], splits.Train);
        ListOpsTsv.Write(paths[1], splits.Valid);
        ListOpsTsv.Write(paths[2], splits.Test);
        return paths;
    }

    public static ListOpsSplits Load(string dir)
    {
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"{dir}: ListOps data folder not found.");
        var splits = SplitNames.Select(name => ListOpsTsv.Read(PathOf(dir, name))).ToArray();
        if (splits[0].Count == 0) throw new InvalidDataException($"{PathOf(dir, "train")}: no training examples.");
        return new ListOpsSplits(splits[0], splits[1], splits[2]);
    }

    private static string PathOf(string dir, string split)
    {
        var plain = Path.Combine(dir, split + ".tsv");
        if (File.Exists(plain)) return plain;
        var lra = Path.Combine(dir, $"basic_{split}.tsv");
        if (File.Exists(lra)) return lra;
        throw new FileNotFoundException($"{dir}: neither {split}.tsv nor basic_{split}.tsv is there.", plain);
    }
}
