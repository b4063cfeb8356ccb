using System.Text.Json.Serialization;

namespace Sharpformer.Inspection;

/// <summary>Source-generated JSON of the data an inspection page carries (no reflection: ready for Native AOT).</summary>
[JsonSerializable(typeof(InspectionPage.PageData))]
internal sealed partial class InspectionJson : JsonSerializerContext;
