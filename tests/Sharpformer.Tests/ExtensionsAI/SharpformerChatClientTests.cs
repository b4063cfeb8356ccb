using Microsoft.Extensions.AI;
using Sharpformer.Extensions.AI;

namespace Sharpformer.Tests.ExtensionsAI;

/// <summary>The chat client against the model it wraps: the same prompt and settings give the same text.</summary>
public sealed class SharpformerChatClientTests
{
    private static readonly LanguageModel Model = TinyLanguageModel.Instance;
    private static readonly ChatMessage[] Conversation = [new(ChatRole.System, "the cat"), new(ChatRole.User, "hello there")];

    [Fact]
    public void PlainTemplate_WritesOneLinePerMessageAndOpensTheAssistantTurn()
    {
        Assert.Equal("System: the cat\nUser: hello there\nAssistant:", ChatTemplate.Plain.Format(Conversation));
        Assert.Equal(["\nUser:"], ChatTemplate.Plain.StopSequences);
    }

    [Fact]
    public void Options_MapOntoGenerationSettings()
    {
        using var client = new SharpformerChatClient(Model);
        var settings = client.Settings(new ChatOptions { Temperature = 0.5f, TopP = 0.9f, TopK = 7, MaxOutputTokens = 11, Seed = 42, StopSequences = ["."] });
        Assert.Equal((0.5f, 0.9f, 7, 11, 42UL), (settings.Temperature, settings.TopP, settings.TopK, settings.MaxNewTokens, settings.Seed));
        Assert.Equal([".", "\nUser:"], settings.StopSequences);
        var defaults = client.Settings(null);
        Assert.Equal(new GenerationSettings().MaxNewTokens, defaults.MaxNewTokens);
        Assert.Equal(new GenerationSettings().Temperature, defaults.Temperature);
    }

    [Fact]
    public async Task GetResponseAsync_IsTheModelsContinuationOfTheTemplatedPrompt()
    {
        using var client = new SharpformerChatClient(Model);
        var options = new ChatOptions { Temperature = 0.8f, TopK = 5, Seed = 3, MaxOutputTokens = 40 };
        var response = await client.GetResponseAsync(Conversation, options, TestContext.Current.CancellationToken);
        var prompt = ChatTemplate.Plain.Format(Conversation);
        Assert.Equal(Model.Generate(prompt, client.Settings(options)), response.Text);
        Assert.Equal(ChatRole.Assistant, response.Messages.Single().Role);
        Assert.Equal(Model.Tokenize(prompt).Length, response.Usage!.InputTokenCount);
        Assert.InRange(response.Usage.OutputTokenCount!.Value, 1, 40);
        Assert.Equal(response.Usage.InputTokenCount + response.Usage.OutputTokenCount, response.Usage.TotalTokenCount);
    }

    [Fact]
    public async Task StreamingResponse_AddsUpToTheResponse_AndEndsWithTheReasonAndUsage()
    {
        // Without the template's stop sequence nothing can end the answer before the token limit.
        using var client = new SharpformerChatClient(Model, new ChatTemplate(ChatTemplate.Plain.Format, []));
        var options = new ChatOptions { Temperature = 0, MaxOutputTokens = 12, StopSequences = ["zzz"] };
        var whole = await client.GetResponseAsync(Conversation, options, TestContext.Current.CancellationToken);
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync(Conversation, options, TestContext.Current.CancellationToken)) updates.Add(update);
        Assert.True(updates.Count > 2, "the answer came in one piece");
        Assert.Equal(whole.Text, string.Concat(updates.Select(u => u.Text)));
        Assert.Single(updates.Select(u => u.ResponseId).Distinct());
        Assert.Equal(ChatFinishReason.Length, updates[^1].FinishReason);
        Assert.Equal(ChatFinishReason.Length, whole.FinishReason);
        Assert.Equal(12, updates[^1].Contents.OfType<UsageContent>().Single().Details.OutputTokenCount);
        // The updates combine into the same response with the library's own helper.
        Assert.Equal(whole.Text, updates.ToChatResponse().Text);
    }

    [Fact]
    public async Task AStopSequenceEndsTheAnswerWithReasonStop()
    {
        using var client = new SharpformerChatClient(Model);
        var free = await client.GetResponseAsync(Conversation, new ChatOptions { Temperature = 0, MaxOutputTokens = 30 }, TestContext.Current.CancellationToken);
        Assert.True(free.Text.Length > 4, free.Text);
        var stop = free.Text.Substring(2, 2);
        var stopped = await client.GetResponseAsync(Conversation, new ChatOptions { Temperature = 0, MaxOutputTokens = 30, StopSequences = [stop] },
            TestContext.Current.CancellationToken);
        Assert.Equal(free.Text[..free.Text.IndexOf(stop, StringComparison.Ordinal)], stopped.Text);
        Assert.Equal(ChatFinishReason.Stop, stopped.FinishReason);
    }

    [Fact]
    public void Metadata_NamesTheProviderAndModel()
    {
        using IChatClient client = new SharpformerChatClient(Model);
        var metadata = client.GetService<ChatClientMetadata>();
        Assert.Equal("sharpformer", metadata!.ProviderName);
        Assert.Equal(Model.Name, metadata.DefaultModelId);
        Assert.Same(Model, client.GetService<LanguageModel>());
    }
}
