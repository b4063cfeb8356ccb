namespace Sharpformer.Cli.Serving;

/// <summary>A request the server refuses: answered with <see cref="Status"/> and an OpenAI-style error naming <see cref="Param"/>.</summary>
internal sealed class BadRequestException(string message, string? param, int status = 400) : Exception(message)
{
    public string? Param { get; } = param;
    public int Status { get; } = status;
}
