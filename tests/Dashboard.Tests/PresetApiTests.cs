using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace ContinualLearning.Dashboard.Tests;

/// <summary>"preset": NAME in REST configs: the preset's values first, the fields given override them.</summary>
public sealed class PresetApiTests(DashboardServer server) : IClassFixture<DashboardServer>
{
    static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task A_run_starts_from_the_preset_and_given_fields_override_it()
    {
        using var http = server.Http();
        var response = await http.PostAsJsonAsync("/api/runs", new { preset = "split-mnist-5", iterationsPerTask = 3, evalEvery = 3, strategy = "si" });

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        await server.Run(id).Completion.WaitAsync(Patience);
        var config = (await http.GetFromJsonAsync<JsonElement>($"/api/runs/{id}")).GetProperty("config");
        Assert.Equal("split-mnist-5", config.GetProperty("preset").GetString());
        Assert.Equal("0,1|2,3|4,5|6,7|8,9", config.GetProperty("tasks").GetString()); // from the preset
        Assert.Equal("mlp", config.GetProperty("model").GetString());
        Assert.Equal("adam", config.GetProperty("optimizer").GetString());
        Assert.Equal(128, config.GetProperty("batchSize").GetInt32());
        Assert.Equal(3, config.GetProperty("iterationsPerTask").GetInt32()); // given: overrides the preset's 300
        Assert.Equal("si", config.GetProperty("strategy").GetString());
    }

    [Fact]
    public async Task An_unknown_preset_is_a_400_naming_preset()
    {
        using var http = server.Http();
        var response = await http.PostAsJsonAsync("/api/runs", new { preset = "split-cifar", epochs = 1 });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Equal(["preset"], errors.EnumerateObject().Select(p => p.Name));
        Assert.Contains("permuted-mnist", errors.GetProperty("preset")[0].GetString());
    }

    [Fact]
    public async Task A_bad_field_beside_a_preset_is_a_400_naming_that_field()
    {
        using var http = server.Http();
        using var body = new StringContent("""{ "preset": "seed", "batchSize": "many" }""", System.Text.Encoding.UTF8, "application/json");
        var response = await http.PostAsync("/api/runs", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Equal(["batchSize"], errors.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task A_sweep_config_may_name_a_preset()
    {
        using var http = server.Http();
        var bad = await http.PostAsJsonAsync("/api/sweeps", new { config = new { preset = "nope" }, seeds = 1 });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal(["preset"], (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateObject().Select(p => p.Name));

        var response = await http.PostAsJsonAsync("/api/sweeps",
            new { config = new { preset = "permuted-mnist", permutations = 2, iterationsPerTask = 2, evalEvery = 2 }, seeds = 1 });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var sweep = await response.Content.ReadFromJsonAsync<JsonElement>();
        var config = sweep.GetProperty("config");
        Assert.Equal("domain-incremental", config.GetProperty("scenario").GetString()); // from the preset
        Assert.Equal(2, config.GetProperty("permutations").GetInt32()); // given
        foreach (var run in sweep.GetProperty("runs").EnumerateArray())
            await server.Run(run.GetProperty("id").GetString()!).Completion.WaitAsync(Patience);
    }
}
