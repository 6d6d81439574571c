using System.Text.Json;
using ContinualLearning.Engine.Strategies;

namespace ContinualLearning.Dashboard.Tests;

/// <summary>RunConfig's OpenAPI schema lists every declared strategy parameter, including those without a RunConfig property.</summary>
public sealed class StrategySchemaTests(DashboardServer server) : IClassFixture<DashboardServer>
{
    [Fact]
    public async Task The_run_config_schema_describes_every_declared_strategy_parameter()
    {
        using var http = server.Http();
        using var doc = JsonDocument.Parse(await http.GetStringAsync("/openapi/v1.json"));
        var properties = doc.RootElement.GetProperty("components").GetProperty("schemas").GetProperty("RunConfig").GetProperty("properties");
        foreach (var (parameter, strategies) in StrategyRegistry.Parameters)
        {
            var schema = properties.GetProperty(parameter.Name);
            Assert.Contains(parameter.Meaning, schema.GetProperty("description").GetString());
            Assert.StartsWith(strategies[0], schema.GetProperty("description").GetString());
        }
        var alpha = properties.GetProperty("derAlpha");
        Assert.Equal(0, alpha.GetProperty("minimum").GetDouble());
        Assert.Equal(100, alpha.GetProperty("maximum").GetDouble());
        Assert.Equal(["separate", "online"], properties.GetProperty("ewcMode").GetProperty("enum").EnumerateArray().Select(e => e.GetString()));
    }
}
