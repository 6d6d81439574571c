using Bunit;
using ContinualLearning.Dashboard.Components.Designer;
using ContinualLearning.Dashboard.Components.Pages;
using ContinualLearning.Dashboard.Designer;
using ContinualLearning.Dashboard.Imaging;
using ContinualLearning.Runs;
using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Data;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MudBlazor.Services;

namespace ContinualLearning.Dashboard.Tests;

/// <summary>The experiment designer in bUnit: no browser, no server, just the components and the engine's validator.</summary>
public sealed class DesignerTests
{
    static BunitContext NewContext()
    {
        var ctx = new BunitContext();
        ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        ctx.Services.AddMudServices();
        var catalog = new DataSetCatalog(Path.Combine(Path.GetTempPath(), "cl-bunit-no-downloads"));
        ctx.Services.AddSingleton(catalog);
        ctx.Services.AddSingleton<DataImages>();
        ctx.Services.AddSingleton<IRunRegistry, InMemoryRunRegistry>();
        ctx.Services.AddSingleton(Options.Create(new DashboardOptions { DashboardPace = 8 }));
        ctx.Services.AddSingleton(Options.Create(new ContinualLearning.Dashboard.Identity.ClassroomOptions())); // personal mode
        ctx.Services.AddSingleton<ContinualLearning.Dashboard.Identity.RunOwnership>();
        ctx.Services.AddSingleton<ContinualLearning.Dashboard.Identity.AbuseLimits>();
        ctx.Services.AddSingleton<IRunQueue>(sp => new LocalRunQueue(sp.GetRequiredService<IRunRegistry>(), catalog,
            sp.GetRequiredService<IOptions<DashboardOptions>>(), NullLogger<LocalRunQueue>.Instance));
        return ctx;
    }

    [Fact]
    public async Task The_replay_ratio_slider_is_bound_to_the_config_and_shows_the_samples_it_keeps()
    {
        await using var ctx = NewContext();
        RunConfig? changed = null;
        var config = new RunConfig { Strategy = "replay", ReplayRatio = 0.1 };
        var cut = ctx.Render<ExperimentDesigner>(p => p
            .Add(d => d.Config, config)
            .Add(d => d.ConfigChanged, c => { changed = c; }));

        // Task 1 of the seed split has 4,106 training images in the bundled data: 10% keeps Replay.KeptCount of them.
        var keptAtTenPercent = ContinualLearning.Engine.Strategies.Replay.KeptCount(4106, 0.1);
        Assert.Contains($"stores {keptAtTenPercent:N0} of task 1", cut.Find("[data-testid=replay-kept]").TextContent);

        // Awaited: the sync Input() only queues the event when the renderer's dispatcher is busy, and returns before the handler ran.
        await cut.Find("[data-testid=replay-ratio] input[type=range]").InputAsync(new ChangeEventArgs { Value = "0.35" });
        Assert.NotNull(changed);
        Assert.Equal(0.35, changed!.ReplayRatio);
        Assert.Equal(config with { ReplayRatio = 0.35 }, changed with { HiddenSizes = config.HiddenSizes });

        cut.Render(p => p.Add(d => d.Config, changed));
        Assert.Equal("0.35", cut.Find("[data-testid=replay-ratio-value]").TextContent);
        Assert.Contains($"stores {ContinualLearning.Engine.Strategies.Replay.KeptCount(4106, 0.35):N0} of task 1", cut.Find("[data-testid=replay-kept]").TextContent);
    }

    [Fact]
    public async Task Validation_errors_from_the_shared_validator_appear_next_to_their_fields_and_block_training()
    {
        await using var ctx = NewContext();
        var config = new RunConfig { BatchSize = 0, Tasks = "0-4|4-9", Strategy = "replay", ReplayRatio = 1.5 };
        var errors = ConfigValidator.Validate(config);
        var cut = ctx.Render<ExperimentDesigner>(p => p.Add(d => d.Config, config).Add(d => d.Errors, errors));

        Assert.Contains("must be between 1 and 4096", cut.Markup);
        Assert.Contains(errors.Single(e => e.Field == "batchSize").Message, cut.FindAll(".mud-input-control").Select(c => c.TextContent).Single(t => t.Contains("Batch")));
        Assert.Contains(errors.Single(e => e.Field == "tasks").Message, cut.Find("[data-testid=split-editor]").TextContent);
        Assert.Contains(errors.Single(e => e.Field == "replayRatio").Message, cut.Find("[data-testid=replay-ratio]").TextContent);
        Assert.True(cut.Find("[data-testid=train]").HasAttribute("disabled"));
    }

    [Fact]
    public void The_config_survives_a_trip_through_the_query_string()
    {
        var config = new RunConfig
        {
            Tasks = "0,1|2,3|4,5|6,7|8,9", Model = "mlp", HiddenSizes = [128, 64], Optimizer = "adam", LearningRate = 0.003,
            BatchSize = 32, Epochs = 2, IterationsPerTask = 40, Strategy = "replay", ReplayRatio = 0.25, Seed = 7, EvalEvery = 5, Pace = 12.5,
        };
        var back = ConfigQuery.FromQuery(ConfigQuery.ToQuery(config), out var errors);
        Assert.Empty(errors);
        Assert.Equal(config, back with { HiddenSizes = config.HiddenSizes });
        Assert.Equal(config.HiddenSizes, back.HiddenSizes);

        var broken = ConfigQuery.FromQuery("?batchSize=abc&epochs=1.5&strategy=replay", out var problems);
        Assert.Equal(["batchSize", "epochs"], problems.Select(p => p.Field).Order());
        Assert.Equal("replay", broken.Strategy);
        Assert.Equal(new RunConfig().BatchSize, broken.BatchSize);
    }

    [Fact]
    public async Task The_page_reads_its_config_from_the_url_and_writes_changes_back()
    {
        await using var ctx = NewContext();
        var nav = ctx.Services.GetRequiredService<NavigationManager>();
        nav.NavigateTo("/?strategy=replay&replayRatio=0.3&tasks=0-3%7C4-6%7C7-9&seed=5");
        var cut = ctx.Render<Home>();

        Assert.Equal("0.30", cut.Find("[data-testid=replay-ratio-value]").TextContent);
        Assert.Equal(3, cut.FindAll("[data-testid=task-row]").Count);

        // Awaited: the sync Input() returns before the handler ran (and the URL was written) when the dispatcher is busy.
        await cut.Find("[data-testid=replay-ratio] input[type=range]").InputAsync(new ChangeEventArgs { Value = "0.55" });
        var reloaded = ConfigQuery.FromQuery(new Uri(nav.Uri).Query, out var errors);
        Assert.Empty(errors);
        Assert.Equal(0.55, reloaded.ReplayRatio);
        Assert.Equal("0-3|4-6|7-9", reloaded.Tasks);
        Assert.Equal(5, reloaded.Seed);
        Assert.Equal(8, reloaded.Pace); // the dashboard's default pace, written out so the link reproduces it
    }
}
