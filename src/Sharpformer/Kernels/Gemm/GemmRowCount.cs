namespace Sharpformer.Kernels;

/// <summary>The number of rows a kernel copy is compiled for (a constant in each generic instantiation).</summary>
internal interface IGemmRowCount
{
    static abstract int Value { get; }
}

internal struct Rows1 : IGemmRowCount { public static int Value => 1; }
internal struct Rows2 : IGemmRowCount { public static int Value => 2; }
internal struct Rows3 : IGemmRowCount { public static int Value => 3; }
internal struct Rows4 : IGemmRowCount { public static int Value => 4; }
internal struct Rows5 : IGemmRowCount { public static int Value => 5; }
internal struct Rows6 : IGemmRowCount { public static int Value => 6; }
internal struct Rows7 : IGemmRowCount { public static int Value => 7; }
internal struct Rows8 : IGemmRowCount { public static int Value => 8; }
internal struct Rows9 : IGemmRowCount { public static int Value => 9; }
internal struct Rows10 : IGemmRowCount { public static int Value => 10; }
internal struct Rows11 : IGemmRowCount { public static int Value => 11; }
internal struct Rows12 : IGemmRowCount { public static int Value => 12; }
internal struct Rows13 : IGemmRowCount { public static int Value => 13; }
internal struct Rows14 : IGemmRowCount { public static int Value => 14; }
