using System.Text;
using Microsoft.Extensions.AI;

namespace Sharpformer.Extensions.AI;

/// <summary>
/// How a conversation becomes the prompt of a model trained on plain text, which knows no chat format of its own.
/// <see cref="Plain"/> writes one line per message, "Role: text", and opens the assistant's turn:
/// <code>
/// System: You are terse.
/// User: Hello
/// Assistant:
/// </code>
/// and generation stops where the model starts another user turn ("\nUser:").
/// </summary>
public sealed class ChatTemplate
{
    private readonly Func<IEnumerable<ChatMessage>, string> _format;

    /// <summary>A template from its prompt format and the texts that end the assistant's turn.</summary>
    public ChatTemplate(Func<IEnumerable<ChatMessage>, string> format, IReadOnlyList<string> stopSequences)
    {
        ArgumentNullException.ThrowIfNull(format);
        ArgumentNullException.ThrowIfNull(stopSequences);
        _format = format;
        StopSequences = stopSequences;
    }

    /// <summary>"Role: text" lines, then "Assistant:"; stops at "\nUser:".</summary>
    public static ChatTemplate Plain { get; } = new(FormatPlain, ["\nUser:"]);

    /// <summary>Texts that end the assistant's turn, added to the request's own stop sequences.</summary>
    public IReadOnlyList<string> StopSequences { get; }

    /// <summary>The prompt for <paramref name="messages"/>, ending where the assistant's answer begins.</summary>
    public string Format(IEnumerable<ChatMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return _format(messages);
    }

    private static string FormatPlain(IEnumerable<ChatMessage> messages)
    {
        var prompt = new StringBuilder();
        foreach (var message in messages)
            prompt.Append(RoleName(message.Role)).Append(": ").Append(message.Text).Append('\n');
        return prompt.Append("Assistant:").ToString();
    }

    private static string RoleName(ChatRole role) =>
        role == ChatRole.System ? "System" : role == ChatRole.Assistant ? "Assistant" : role == ChatRole.Tool ? "Tool" : "User";
}
