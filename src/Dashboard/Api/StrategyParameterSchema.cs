using System.Globalization;
using System.Text.Json.Nodes;
using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Strategies;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace ContinualLearning.Dashboard.Api;

/// <summary>
/// RunConfig's OpenAPI schema lists every strategy parameter from its declaration (StrategyInfo): which strategies
/// read it, what it means, its range or choices and default. Parameters of newer strategies have no RunConfig property
/// (they are flat extension fields), so they are added here; a client generator sees them like any other field.
/// </summary>
public static class StrategyParameterSchema
{
    public static OpenApiOptions DescribeStrategyParameters(this OpenApiOptions options) => options.AddSchemaTransformer((schema, context, _) =>
    {
        if (context.JsonTypeInfo.Type != typeof(RunConfig)) return Task.CompletedTask;
        schema.Properties ??= new Dictionary<string, IOpenApiSchema>();
        foreach (var (parameter, strategies) in StrategyRegistry.Parameters)
        {
            var described = schema.Properties.TryGetValue(parameter.Name, out var existing) && existing is OpenApiSchema s ? s : new OpenApiSchema();
            described.Description = $"{string.Join(", ", strategies)}: {parameter.Meaning} ({parameter.Rule.Replace("must be ", "")}; default "
                + (parameter.DefaultFor is { } perScenario
                    ? "per scenario: " + string.Join(", ", ConfigValidator.SupportedScenarios.Select(sc => $"{sc} {StrategyParameter.Show(perScenario(sc))}"))
                    : Convert.ToString(parameter.Default, CultureInfo.InvariantCulture)) + ")";
            if (parameter.Kind == ParameterKind.Choice)
            {
                described.Type ??= JsonSchemaType.String;
                described.Enum = [.. parameter.Choices.Select(c => (JsonNode)JsonValue.Create(c))];
            }
            else
            {
                described.Type ??= parameter.Kind == ParameterKind.Integer ? JsonSchemaType.Integer : JsonSchemaType.Number;
                described.Minimum = parameter.Min.ToString(CultureInfo.InvariantCulture);
                if (parameter.Max < double.MaxValue) described.Maximum = parameter.Max.ToString(CultureInfo.InvariantCulture);
            }
            if (parameter.Default is { } d) described.Default = d is string text ? JsonValue.Create(text) : JsonValue.Create(Convert.ToDouble(d, CultureInfo.InvariantCulture));
            schema.Properties[parameter.Name] = described;
        }
        return Task.CompletedTask;
    });
}
