using Digest.Articles;
using Digest.Articles.Feeds;
using Digest.Delivery;
using Digest.Editions;
using Digest.Feedback;
using Digest.Rendering;
using Digest.Storage;
using Digest.Subscribers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Digest;

public static class DigestServices
{
    /// <summary>The engine: articles, subscribers, editions, rendering and delivery, with validated settings.</summary>
    public static IHostApplicationBuilder AddDigestEngine(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;

        services.AddOptionsWithValidateOnStart<StorageOptions>().Bind(configuration.GetSection(StorageOptions.SectionName));
        services.AddOptionsWithValidateOnStart<InboxOptions>().Bind(configuration.GetSection(InboxOptions.SectionName));
        services.AddOptionsWithValidateOnStart<SecurityOptions>().Bind(configuration.GetSection(SecurityOptions.SectionName));
        services.AddOptionsWithValidateOnStart<SiteOptions>().Bind(configuration.GetSection(SiteOptions.SectionName));
        services.AddOptionsWithValidateOnStart<RenderingOptions>().Bind(configuration.GetSection(RenderingOptions.SectionName));
        services.AddOptionsWithValidateOnStart<EditionsOptions>().Bind(configuration.GetSection(EditionsOptions.SectionName));
        services.AddOptionsWithValidateOnStart<DeliveryOptions>().Bind(configuration.GetSection(DeliveryOptions.SectionName));
        services.AddOptionsWithValidateOnStart<SubscribersOptions>().Bind(configuration.GetSection(SubscribersOptions.SectionName))
            .Validate(o => o.Retention > TimeSpan.Zero, "Subscribers:Retention must be positive");
        services.AddOptionsWithValidateOnStart<FeedbackOptions>().Bind(configuration.GetSection(FeedbackOptions.SectionName));
        services.AddSingleton<IValidateOptions<FeedbackOptions>, FeedbackOptionsValidator>();
        services.AddFeedsOptions(configuration);
        services.AddSingleton<IValidateOptions<FeedsOptions>, FeedsOptionsValidator>();
        services.AddSingleton<IValidateOptions<EditionsOptions>, EditionsOptionsValidator>();
        services.AddSingleton<IValidateOptions<EditionsOptions>, EditionSenderDkimValidator>();
        services.AddSingleton<IOptionsFactory<EditionsOptions>, LastGoodEditionsFactory>();
        services.AddSingleton<IValidateOptions<DeliveryOptions>, DeliveryOptionsValidator>();
        services.AddSingleton<IValidateOptions<StorageOptions>, StorageOptionsValidator>();
        services.AddSingleton<IValidateOptions<SecurityOptions>, SecurityOptionsValidator>();
        services.AddSingleton<IValidateOptions<SiteOptions>, SiteOptionsValidator>();

        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.AddSingleton<DigestMetrics>();
        services.AddSingleton<Database>();
        services.AddSingleton<ArticleStore>();
        services.AddSingleton<InboxProcessor>();
        services.AddHttpClient(FeedPoller.HttpClientName, client =>
        {
            client.Timeout = System.Threading.Timeout.InfiniteTimeSpan; // each feed has its own Timeout
            client.DefaultRequestHeaders.UserAgent.ParseAdd("Digest/1.0 (feed reader)");
        }).ConfigurePrimaryHttpMessageHandler(provider =>
        {
            var network = provider.GetRequiredService<IOptionsMonitor<FeedNetworkOptions>>();
            return new SocketsHttpHandler
            {
                AutomaticDecompression = System.Net.DecompressionMethods.All,
                ConnectCallback = (context, token) => FeedNetworkGuard.ConnectAsync(context, network.CurrentValue.AllowPrivateNetworks, token),
            };
        });
        services.AddSingleton<FeedPoller>();
        services.AddTransient<FeedJobs>();
        services.AddSingleton<SubscriberStore>();
        services.AddSingleton<SubscriberTokens>();
        services.AddSingleton<SubscriberLifecycle>();
        services.AddSingleton<SubscriberLinks>();
        services.AddSingleton<SubscriberDirectory>();
        services.AddSingleton<ConfirmationMail>();
        services.AddSingleton<RazorDigestRenderer>();
        services.AddSingleton<IDigestRenderer>(sp => sp.GetRequiredService<RazorDigestRenderer>());
        services.AddSingleton<DigestComposer>();
        services.AddLocalization();
        services.AddSingleton<DigestStrings>();
        services.AddSingleton<DigestPreview>();
        services.AddSingleton<DkimMessageSigner>();
        services.AddSingleton<MessageFactory>();
        services.AddSingleton<DeliveryLedger>();
        services.AddSingleton<SenderShare>();
        services.AddSingleton<IMailTransport>(sp => sp.GetRequiredService<IOptions<DeliveryOptions>>().Value.Transport == MailTransportKind.Smtp
            ? ActivatorUtilities.CreateInstance<SmtpMailTransport>(sp)
            : ActivatorUtilities.CreateInstance<PickupFolderTransport>(sp));
        services.AddSingleton<EditionRunner>();
        services.AddSingleton<AudienceFreeze>();
        services.AddSingleton<RunSender>();
        services.AddSingleton<RunArchive>();
        services.AddSingleton<EditionNotes>();
        services.AddSingleton<RunReview>();
        services.AddSingleton<ReviewNotice>();
        services.TryAddSingleton<IEditorAddresses, NoEditorAddresses>();
        services.AddSingleton<TestDigestSender>();
        services.AddSingleton<RunMonitor>();
        services.AddSingleton<RunAlerts>();
        services.AddTransient<EditionJobs>();
        services.AddSingleton<ReturnPath>();
        services.AddSingleton<FeedbackClassifier>();
        services.AddSingleton<FeedbackProcessor>();
        services.AddSingleton<FeedbackMailbox>();
        services.AddSingleton<FeedbackFigures>();
        services.AddSingleton<PersonalData>();
        services.AddTransient<FeedbackJobs>();
        services.AddSingleton<Feedback.Webhooks.MailgunEvents>();
        services.AddSingleton<Feedback.Webhooks.SesNotifications>();
        services.AddHttpClient(Feedback.Webhooks.SesNotifications.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(15));
        return builder;
    }

    /// <summary>
    /// The service's own start-up work (schema, template warm-up). Call before anything else that adds hosted
    /// services, so they start on a ready store.
    /// </summary>
    public static IHostApplicationBuilder AddDigestStartup(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHostedService<DigestStartup>();
        return builder;
    }

    /// <summary>The inbox watcher: ingests files dropped into the inbox folder for as long as the service runs.</summary>
    public static IHostApplicationBuilder AddDigestInbox(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHostedService<InboxWatcher>();
        return builder;
    }

    /// <summary>Brings the schema up to date and compiles every template; call before the host starts serving.</summary>
    public static async Task PrepareDigestAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        await services.GetRequiredService<Database>().MigrateAsync(cancellationToken);
        await services.GetRequiredService<RazorDigestRenderer>().WarmAsync();
        _ = services.GetRequiredService<DkimMessageSigner>(); // reads the DKIM key now, not at the first send
    }
}
