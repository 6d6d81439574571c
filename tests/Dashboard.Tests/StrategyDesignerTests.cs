using Bunit;
using ContinualLearning.Dashboard.Components.Designer;
using ContinualLearning.Dashboard.Components.Live;
using ContinualLearning.Dashboard.Components.Pages;
using ContinualLearning.Dashboard.Designer;
using ContinualLearning.Dashboard.Imaging;
using ContinualLearning.Runs;
using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Data;
using ContinualLearning.Engine.Strategies;
using ContinualLearning.Engine.Training;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MudBlazor;
using MudBlazor.Services;

namespace ContinualLearning.Dashboard.Tests;

/// <summary>The designer's scenario, preset and strategy parameters, and the live view's strategy panel, in bUnit.</summary>
public sealed class StrategyDesignerTests
{
    static readonly DataSetCatalog Catalog = new(Path.Combine(Path.GetTempPath(), "cl-bunit-no-downloads"));

    static BunitContext NewContext()
    {
        var ctx = new BunitContext();
        ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        ctx.Services.AddMudServices();
        ctx.Services.AddSingleton(Catalog);
        ctx.Services.AddSingleton<DataImages>();
        ctx.Services.AddSingleton<IRunRegistry, InMemoryRunRegistry>();
        ctx.Services.AddSingleton(Options.Create(new DashboardOptions { DashboardPace = 8 }));
        ctx.Services.AddSingleton(Options.Create(new ContinualLearning.Dashboard.Identity.ClassroomOptions())); // personal mode
        ctx.Services.AddSingleton<ContinualLearning.Dashboard.Identity.RunOwnership>();
        ctx.Services.AddSingleton<ContinualLearning.Dashboard.Identity.AbuseLimits>();
        ctx.Services.AddSingleton<IRunQueue>(sp => new LocalRunQueue(sp.GetRequiredService<IRunRegistry>(), Catalog,
            sp.GetRequiredService<IOptions<DashboardOptions>>(), NullLogger<LocalRunQueue>.Instance));
        return ctx;
    }

    static IRenderedComponent<MudSelect<string>> Select(IRenderedComponent<IComponent> cut, string label) =>
        cut.FindComponents<MudSelect<string>>().Single(s => s.Instance.Label == label);

    static IRenderedComponent<ExperimentDesigner> Designer(BunitContext ctx, RunConfig config, Action<RunConfig> changed) =>
        ctx.Render<ExperimentDesigner>(p => p
            .Add(d => d.Config, config)
            .Add(d => d.Errors, ConfigValidator.Validate(config))
            .Add(d => d.ConfigChanged, c => changed(c)));

    [Fact]
    public async Task Choosing_a_preset_fills_the_form_keeps_the_strategy_and_the_url_holds_the_full_config()
    {
        await using var ctx = NewContext();
        var nav = ctx.Services.GetRequiredService<NavigationManager>();
        nav.NavigateTo("/?strategy=ewc&ewcLambda=500");
        var cut = ctx.Render<Home>();

        var preset = cut.FindComponents<MudSelect<string>>().Single(s => s.Instance.Label == "Preset");
        await cut.InvokeAsync(() => preset.Instance.ValueChanged.InvokeAsync(Presets.PermutedMnist));

        var fromUrl = ConfigQuery.FromQuery(new Uri(nav.Uri).Query, out var errors);
        Assert.Empty(errors);
        var expected = Presets.Get(Presets.PermutedMnist) with { Strategy = "ewc", EwcLambda = 500, Pace = 8 };
        Assert.Equal(expected, fromUrl with { HiddenSizes = expected.HiddenSizes });
        Assert.Equal(expected.HiddenSizes, fromUrl.HiddenSizes);
        // The form shows the preset: domain-incremental with its number of permutations, the ewc panel still there.
        Assert.Contains("pixel permutation", cut.Find("[data-testid=scenario-help]").TextContent);
        Assert.Equal("5", cut.Find("[data-testid=permutations] input, input[data-testid=permutations]").GetAttribute("value"));
        Assert.Equal("500", cut.Find("[data-testid=ewc-lambda-value]").TextContent);
    }

    [Fact]
    public void Optional_fields_travel_through_the_url()
    {
        var config = Presets.Get(Presets.SplitMnist5) with { Strategy = "si", SiC = 0.5, EwcLambda = 2500 };
        var back = ConfigQuery.FromQuery(ConfigQuery.ToQuery(config), out var errors);
        Assert.Empty(errors);
        Assert.Equal((Presets.SplitMnist5, 0.5, 2500.0, (int?)Presets.QuickIterations), (back.Preset, back.SiC, back.EwcLambda, back.IterationsPerTask));
        Assert.Null(ConfigQuery.FromQuery("?strategy=si", out _).SiC); // absent stays "the scenario's default"
    }

    [Fact]
    public async Task The_scenario_selector_fits_the_split_and_binds_the_number_of_permutations()
    {
        await using var ctx = NewContext();
        RunConfig? changed = null;
        // Tasks of unequal size cannot share one head by position: domain-incremental falls back to one class set.
        var cut = Designer(ctx, new RunConfig { Tasks = "0-3|4-9" }, c => changed = c);

        var scenario = cut.FindComponents<MudSelect<string>>().Single(s => s.Instance.Label == "Scenario");
        await cut.InvokeAsync(() => scenario.Instance.ValueChanged.InvokeAsync(Scenarios.DomainIncremental));
        Assert.Equal(Scenarios.DomainIncremental, changed!.Scenario);
        Assert.Equal("0-9", changed.Tasks); // one class set, repeated over the permutations
        Assert.Empty(ConfigValidator.Validate(changed));

        cut.Render(p => p.Add(d => d.Config, changed));
        cut.Find("[data-testid=permutations] input, input[data-testid=permutations]").Change("7");
        Assert.Equal(7, changed.Permutations);

        cut.Render(p => p.Add(d => d.Config, changed));
        scenario = cut.FindComponents<MudSelect<string>>().Single(s => s.Instance.Label == "Scenario");
        await cut.InvokeAsync(() => scenario.Instance.ValueChanged.InvokeAsync(Scenarios.TaskIncremental));
        Assert.Equal("0-4|5-9", changed.Tasks);
        cut.Render(p => p.Add(d => d.Config, changed));
        Assert.Empty(cut.FindAll("[data-testid=permutations]"));
    }

    /// <summary>The paper's split MNIST domain-incremental: the five pairs stay, one shared head answers by position.</summary>
    [Fact]
    public async Task Split_tasks_of_equal_size_stay_in_domain_incremental_without_a_permutations_field()
    {
        await using var ctx = NewContext();
        RunConfig? changed = null;
        var cut = Designer(ctx, Presets.Get(Presets.SplitMnist5), c => changed = c);

        var scenario = cut.FindComponents<MudSelect<string>>().Single(s => s.Instance.Label == "Scenario");
        await cut.InvokeAsync(() => scenario.Instance.ValueChanged.InvokeAsync(Scenarios.DomainIncremental));
        Assert.Equal("0,1|2,3|4,5|6,7|8,9", changed!.Tasks);
        Assert.Empty(ConfigValidator.Validate(changed));

        cut.Render(p => p.Add(d => d.Config, changed));
        Assert.Empty(cut.FindAll("[data-testid=permutations]"));
        Assert.Contains("Tasks of equal size (labels: position within the task)", cut.Markup);
        cut.Find("[data-testid=domain-classes] input, input[data-testid=domain-classes]").Change("0,1|2,3|4");
        Assert.Equal("0,1|2,3|4", changed.Tasks);
        Assert.Contains(ConfigValidator.Validate(changed), e => e.Field == "tasks" && e.Message.Contains("same number of classes"));
    }

    [Fact]
    public async Task The_ewc_lambda_slider_is_log_scale_and_shows_the_scenario_default()
    {
        await using var ctx = NewContext();
        RunConfig? changed = null;
        var config = new RunConfig { Strategy = "ewc", Scenario = Scenarios.DomainIncremental, Tasks = "0-9" };
        var cut = Designer(ctx, config, c => changed = c);

        Assert.Equal(StrategyParameters.Format(Ewc.DefaultLambda(Scenarios.DomainIncremental)), cut.Find("[data-testid=ewc-lambda-value]").TextContent);
        Assert.Contains("default for domain-incremental", cut.Find("[data-testid=ewc-lambda]").TextContent);
        Assert.Contains("Fisher", cut.Find("[data-testid=strategy-explain]").TextContent);

        cut.Find("[data-testid=ewc-lambda] input[type=range]").Input("3.5");
        Assert.Equal(3200, changed!.EwcLambda); // 10^3.5 to two significant digits
        Assert.Equal(config with { EwcLambda = 3200 }, changed with { HiddenSizes = config.HiddenSizes });

        cut = Designer(ctx, new RunConfig { Strategy = "ewc" }, c => changed = c);
        Assert.Equal("10,000", cut.Find("[data-testid=ewc-lambda-value]").TextContent); // class-incremental's default, written out
    }

    [Theory]
    [InlineData("si", "si-c")]
    [InlineData("lwf", "lwf-alpha")]
    [InlineData("agem", "agem-memory-per-class")]
    [InlineData("generative-replay", "generator-latent")]
    public async Task Each_strategy_shows_its_explanation_and_its_parameters(string strategy, string testId)
    {
        await using var ctx = NewContext();
        var cut = Designer(ctx, new RunConfig { Strategy = strategy }, _ => { });

        Assert.Equal(StrategyParameters.Explain(strategy), cut.Find("[data-testid=strategy-explain]").TextContent);
        Assert.NotEmpty(cut.FindAll($"[data-testid={testId}]"));
        Assert.Empty(cut.FindAll("[data-testid=ewc-lambda]")); // only the chosen strategy's parameters
    }

    [Fact]
    public async Task A_strategy_declared_in_its_own_file_gets_its_controls_and_travels_through_the_url()
    {
        await using var ctx = NewContext();
        RunConfig? changed = null;
        var cut = Designer(ctx, new RunConfig { Strategy = "der" }, c => changed = c);
        Assert.Equal(StrategyParameters.Explain("der"), cut.Find("[data-testid=strategy-explain]").TextContent);
        Assert.Equal("0.2", cut.Find("[data-testid=der-alpha-value]").TextContent);
        Assert.NotEmpty(cut.FindAll("[data-testid=memory-per-class]")); // the shared memory field, declared by der too

        cut.Find("[data-testid=der-beta] input[type=range]").Input("0.5");
        Assert.Equal(0.5, DarkExperienceReplay.Beta.Number(changed!));
        var back = ConfigQuery.FromQuery(ConfigQuery.ToQuery(changed!), out var errors);
        Assert.Empty(errors);
        Assert.Equal(0.5, DarkExperienceReplay.Beta.Number(back));
        Assert.Equal(0.2, DarkExperienceReplay.Alpha.Number(back)); // unset stays the default
    }

    [Fact]
    public async Task Lwf_and_generative_replay_parameters_are_bound_to_the_config()
    {
        await using var ctx = NewContext();
        RunConfig? changed = null;
        var cut = Designer(ctx, new RunConfig { Strategy = "lwf" }, c => changed = c);
        cut.Find("[data-testid=lwf-temperature] input[type=range]").Input("4.5");
        Assert.Equal(4.5, changed!.LwfTemperature);

        cut = Designer(ctx, new RunConfig { Strategy = "generative-replay" }, c => changed = c);
        cut.Find("[data-testid=generator-latent] input, input[data-testid=generator-latent]").Change("12");
        Assert.Equal(12, changed.GeneratorLatent);
    }

    [Fact]
    public async Task Pnn_outside_task_incremental_shows_the_validators_reason_at_the_strategy_and_blocks_training()
    {
        await using var ctx = NewContext();
        var config = new RunConfig { Strategy = "pnn", Model = "mlp" };
        var cut = Designer(ctx, config, _ => { });

        var reason = ConfigValidator.Validate(config).Single(e => e.Field == "strategy").Message;
        Assert.Contains("task-incremental", reason);
        var strategyField = cut.FindAll(".mud-input-control").Single(c => c.TextContent.Contains("Remedy against forgetting"));
        Assert.Contains(reason, strategyField.TextContent);
        Assert.True(cut.Find("[data-testid=train]").HasAttribute("disabled"));

        var fixedConfig = config with { Scenario = Scenarios.TaskIncremental };
        cut = Designer(ctx, fixedConfig, _ => { });
        Assert.DoesNotContain(reason, cut.Markup);
        Assert.False(cut.Find("[data-testid=train]").HasAttribute("disabled"));
    }

    /// <param name="upToSeq">Apply events only up to this seq, to see the panel as it was mid-run; null = all.</param>
    static LiveRunState Trained(RunConfig config, Func<IReadOnlyList<ContinualLearning.Engine.Events.RunEvent>, long>? upToSeq = null)
    {
        using var run = new TrainingRun(config, Catalog);
        run.Execute();
        Assert.Equal(RunStatus.Finished, run.Status);
        var state = new LiveRunState();
        var events = run.Events.Snapshot();
        long last = upToSeq?.Invoke(events) ?? long.MaxValue;
        foreach (var e in events.Where(e => e.Seq <= last)) state.Apply(e);
        return state;
    }

    [Fact]
    public async Task Mid_run_the_generative_replay_panel_shows_the_generators_latest_samples()
    {
        await using var ctx = NewContext();
        var config = new RunConfig { Strategy = "generative-replay", IterationsPerTask = 12, EvalEvery = 2, GeneratorHidden = 16, GeneratorLatent = 4 };
        // Stop at the last evaluation that carried generator images during task 2.
        var state = Trained(config, events => events.Last(e => e.Kind == ContinualLearning.Engine.Events.RunEventKind.Evaluation && e.GeneratedImages is not null && e.Task == 1).Seq);
        var cut = ctx.Render<StrategyInsight>(p => p.Add(s => s.State, state).Add(s => s.Strategy, "generative-replay").Add(s => s.Dataset, config.Dataset));

        var live = Assert.IsType<(long Step, byte[][] Images)>(state.LiveGenerated);
        var row = cut.Find("[data-testid=generated-live-row]");
        Assert.Contains($"step {live.Step}", row.TextContent);
        Assert.Equal(live.Images.Length, row.QuerySelectorAll("img").Length);
    }

    /// <summary>Split domain-incremental: predictions are positions within a task, shown and judged as such.</summary>
    [Fact]
    public async Task In_split_domain_incremental_the_prediction_grid_shows_positions_and_judges_them_by_the_digits_task()
    {
        await using var ctx = NewContext();
        var config = Presets.Get(Presets.SplitMnist5) with { Scenario = Scenarios.DomainIncremental, IterationsPerTask = 5, EvalEvery = 5, HiddenSizes = [16] };
        var state = Trained(config);
        var plan = state.Plan!;
        Assert.Equal(["0/2/4/6/8", "1/3/5/7/9"], plan.OutputNames!);
        var cut = ctx.Render<PredictionGrid>(p => p.Add(g => g.State, state).Add(g => g.Dataset, config.Dataset));

        Assert.Contains("positions within a task", cut.Find("[data-testid=predictions-positions]").TextContent);
        var cells = cut.FindAll(".prediction");
        Assert.Equal(plan.PreviewTestIndices.Length, cells.Count);
        var labels = Catalog.Load(config.Dataset).Test.Labels;
        for (int i = 0; i < cells.Count; i++)
        {
            int position = labels[plan.PreviewTestIndices[i]] % 2; // pairs 0,1|2,3|…: even digits first
            Assert.Equal(state.Predictions![i] == position, cells[i].ClassList.Contains("right"));
            Assert.Contains(cells[i].QuerySelector(".prediction-label")!.TextContent, new[] { "1st", "2nd" });
        }
        var matrix = ctx.Render<MatrixCard>(p => p.Add(m => m.State, state));
        Assert.Contains("position within its task", matrix.Find("[data-testid=matrix-positions]").TextContent);
    }

    [Fact]
    public async Task The_live_pnn_panel_shows_the_parameter_count_growing_per_task()
    {
        await using var ctx = NewContext();
        var config = new RunConfig
        {
            Strategy = "pnn", Scenario = Scenarios.TaskIncremental, Model = "mlp", HiddenSizes = [16], Tasks = "0,1|2,3|4,5", IterationsPerTask = 2, EvalEvery = 2,
        };
        var state = Trained(config);
        var cut = ctx.Render<StrategyInsight>(p => p.Add(s => s.State, state).Add(s => s.Strategy, "pnn").Add(s => s.Dataset, config.Dataset));

        Assert.Equal(3, state.ParameterCounts.Count);
        Assert.True(state.ParameterCounts[2] > state.ParameterCounts[1] && state.ParameterCounts[1] > state.ParameterCounts[0]);
        var shown = cut.FindAll("[data-testid=pnn-parameters]").Select(e => e.TextContent).ToArray();
        Assert.Equal(3, shown.Length);
        for (int t = 0; t < 3; t++) Assert.StartsWith(state.ParameterCounts[t].ToString("N0"), shown[t]);
        Assert.Contains($"+{state.ParameterCounts[1] - state.ParameterCounts[0]:N0}", shown[1]);
    }

    [Fact]
    public async Task The_live_generative_replay_panel_shows_the_generators_samples_after_each_task()
    {
        await using var ctx = NewContext();
        var config = new RunConfig { Strategy = "generative-replay", IterationsPerTask = 2, EvalEvery = 2, GeneratorHidden = 16, GeneratorLatent = 4 };
        var state = Trained(config);
        var cut = ctx.Render<StrategyInsight>(p => p.Add(s => s.State, state).Add(s => s.Strategy, "generative-replay").Add(s => s.Dataset, config.Dataset));

        Assert.Equal(state.GeneratedSamples.Count, cut.FindAll("[data-testid=generated-row]").Count);
        Assert.NotEmpty(state.GeneratedSamples);
        var images = cut.FindAll("[data-testid=generated-image]");
        Assert.Equal(state.GeneratedSamples.Sum(s => s.Images.Length), images.Count);
        Assert.All(images, i => Assert.StartsWith("data:image/png;base64,", i.GetAttribute("src")));
    }
}
