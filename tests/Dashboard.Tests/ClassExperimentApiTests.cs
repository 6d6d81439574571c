using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using static ContinualLearning.Dashboard.Tests.Classroom;

namespace ContinualLearning.Dashboard.Tests;

/// <summary>Class experiments over REST in class mode: who may publish and close, what a value must be, and what the curve collects.</summary>
public sealed class ClassExperimentApiTests(ClassServer server) : IClassFixture<ClassServer>
{
    /// <summary>A replay run that finishes in a moment; students choose its replay ratio.</summary>
    static readonly object Config = new { strategy = "replay", iterationsPerTask = 6, evalEvery = 3, pace = 0 };

    async Task<HttpClient> Instructor()
    {
        var teacher = server.Http();
        Assert.Equal(HttpStatusCode.OK, (await SignInAsInstructor(teacher, ClassServer.Key)).StatusCode);
        return teacher;
    }

    static async Task<JsonElement> Publish(HttpClient teacher, object body)
    {
        var response = await teacher.PostAsJsonAsync("/api/class/experiments", body);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>The 400's errors: field → messages.</summary>
    static async Task<Dictionary<string, string[]>> Errors(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").Deserialize<Dictionary<string, string[]>>()!;
    }

    [Fact]
    public async Task Only_the_instructor_publishes_lists_and_closes_and_a_closed_experiment_takes_no_runs()
    {
        using var teacher = await Instructor();
        using var student = server.Http();

        var refused = await student.PostAsJsonAsync("/api/class/experiments", new { config = Config });
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("Only the instructor", await Detail(refused));
        Assert.Equal(HttpStatusCode.Forbidden, (await student.GetAsync("/api/class/experiments")).StatusCode);

        // Defaults: replayRatio over its declared range, in its declared step.
        var published = await Publish(teacher, new { config = Config });
        var id = published.GetProperty("id").GetString()!;
        Assert.Equal(("replayRatio", 0.0, 1.0, 0.01, true), (published.GetProperty("param").GetString(), published.GetProperty("min").GetDouble(),
            published.GetProperty("max").GetDouble(), published.GetProperty("step").GetDouble(), published.GetProperty("open").GetBoolean()));
        Assert.Equal($"/class/{id}", published.GetProperty("joinPath").GetString());
        Assert.Contains((await teacher.GetFromJsonAsync<JsonElement>("/api/class/experiments")).EnumerateArray(), e => e.GetProperty("id").GetString() == id);

        // Anyone with the id may read it; only the instructor may close it.
        Assert.Equal(HttpStatusCode.OK, (await student.GetAsync($"/api/class/experiments/{id}")).StatusCode);
        var close = await student.PostAsJsonAsync($"/api/class/experiments/{id}/close", new { });
        Assert.Equal(HttpStatusCode.Forbidden, close.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await student.PostAsJsonAsync($"/api/class/experiments/{id}/runs", new { value = 0.2 })).StatusCode);

        var closed = await teacher.PostAsJsonAsync($"/api/class/experiments/{id}/close", new { });
        Assert.Equal(HttpStatusCode.OK, closed.StatusCode);
        Assert.False((await closed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("open").GetBoolean());
        var late = await student.PostAsJsonAsync($"/api/class/experiments/{id}/runs", new { value = 0.3 });
        Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);
        Assert.Contains("closed", await Detail(late));
        Assert.Single((await student.GetFromJsonAsync<JsonElement>($"/api/class/experiments/{id}")).GetProperty("runs").EnumerateArray());
    }

    [Fact]
    public async Task A_bad_experiment_is_refused_naming_the_field()
    {
        using var teacher = await Instructor();
        Assert.Contains("param", (await Errors(await teacher.PostAsJsonAsync("/api/class/experiments", new { config = Config, param = "noSuchThing" }))).Keys);
        var notTheStrategys = await Errors(await teacher.PostAsJsonAsync("/api/class/experiments", new { config = new { strategy = "naive" }, param = "replayRatio" }));
        Assert.Contains("not a parameter of the strategy 'naive'", Assert.Single(notTheStrategys["param"]));
        Assert.Contains("max", (await Errors(await teacher.PostAsJsonAsync("/api/class/experiments", new { config = Config, min = 0.5, max = 0.2 }))).Keys);
        Assert.Contains("step", (await Errors(await teacher.PostAsJsonAsync("/api/class/experiments", new { config = Config, step = 0.0001 }))).Keys);
        // The ends of the range are checked by the one validator, as a student's run would be.
        var tooHigh = await Errors(await teacher.PostAsJsonAsync("/api/class/experiments", new { config = Config, min = 0, max = 3 }));
        Assert.StartsWith("3: replayRatio must be between 0 and 1", Assert.Single(tooHigh["max"]));
        Assert.Contains("learningRate", (await Errors(await teacher.PostAsJsonAsync("/api/class/experiments", new { config = new { strategy = "replay", learningRate = -1 } }))).Keys);
        Assert.Contains("min", (await Errors(await teacher.PostAsJsonAsync("/api/class/experiments", new { config = Config, param = "learningRate" }))).Keys);
    }

    [Fact]
    public async Task A_students_value_out_of_range_or_off_the_grid_is_refused_naming_the_value()
    {
        using var teacher = await Instructor();
        using var student = server.Http();
        var id = (await Publish(teacher, new { config = Config, min = 0, max = 0.5, step = 0.1 })).GetProperty("id").GetString()!;

        Assert.Contains("must be between 0 and 0.5", Assert.Single((await Errors(await student.PostAsJsonAsync($"/api/class/experiments/{id}/runs", new { value = 0.9 })))["value"]));
        Assert.Contains("steps of 0.1", Assert.Single((await Errors(await student.PostAsJsonAsync($"/api/class/experiments/{id}/runs", new { value = 0.25 })))["value"]));
        Assert.Contains("must be given", Assert.Single((await Errors(await student.PostAsJsonAsync($"/api/class/experiments/{id}/runs", new { })))["value"]));
        Assert.Contains("value", (await Errors(await student.PostAsJsonAsync($"/api/class/experiments/{id}/runs", new { value = "lots" }))).Keys);
        Assert.Equal(HttpStatusCode.NotFound, (await student.PostAsJsonAsync("/api/class/experiments/cnosuchthing1/runs", new { value = 0.1 })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await student.GetAsync("/api/class/experiments/not%20an%20id")).StatusCode);
        Assert.Empty((await student.GetFromJsonAsync<JsonElement>($"/api/class/experiments/{id}")).GetProperty("runs").EnumerateArray());
    }

    [Fact]
    public async Task Students_runs_are_their_own_and_land_on_the_curve_with_the_mean_per_value_and_in_the_CSV()
    {
        using var teacher = await Instructor();
        using var ann = server.Http();
        using var ben = server.Http();
        Assert.Equal(HttpStatusCode.OK, (await ann.PutAsJsonAsync("/api/me/name", new { displayName = "=Ann" })).StatusCode);
        var id = (await Publish(teacher, new { config = Config, min = 0, max = 0.4, step = 0.2 })).GetProperty("id").GetString()!;

        var runs = new List<string>();
        foreach (var (who, value) in new[] { (ann, 0.2), (ben, 0.2), (ben, 0.4) })
        {
            var joined = await who.PostAsJsonAsync($"/api/class/experiments/{id}/runs", new { value });
            Assert.Equal(HttpStatusCode.Accepted, joined.StatusCode);
            var run = (await joined.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("runId").GetString()!;
            Assert.Equal(await VisitorId(who), server.Run(run).Owner);
            Assert.Equal(value, server.Run(run).Config.ReplayRatio);
            runs.Add(run);
        }
        foreach (var run in runs) await WaitStored(ann, run);

        var view = await ann.GetFromJsonAsync<JsonElement>($"/api/class/experiments/{id}");
        Assert.Equal(3, view.GetProperty("finished").GetInt32());
        var points = view.GetProperty("runs").EnumerateArray().ToArray();
        Assert.Equal(runs, points.Select(p => p.GetProperty("runId").GetString()));
        Assert.Equal("=Ann", points[0].GetProperty("owner").GetString());
        Assert.All(points, p => Assert.InRange(p.GetProperty("task1Accuracy").GetDouble(), 0, 100));
        var means = view.GetProperty("means").EnumerateArray().ToArray();
        Assert.Equal([0.2, 0.4], means.Select(m => m.GetProperty("value").GetDouble()));
        Assert.Equal(2, means[0].GetProperty("runs").GetInt32());
        Assert.Equal((points[0].GetProperty("averageAccuracy").GetDouble() + points[1].GetProperty("averageAccuracy").GetDouble()) / 2,
            means[0].GetProperty("averageAccuracy").GetDouble(), 6);

        var csv = await ann.GetStringAsync($"/api/class/experiments/{id}/csv");
        var lines = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("runId,student,replayRatio,status,task1Accuracy,averageAccuracy,forgetting", lines[0]);
        Assert.Equal(4, lines.Length);
        Assert.StartsWith($"{runs[0]},'=Ann,0.2,finished,", lines[1]); // a name that looks like a formula stays text
    }

    [Fact]
    public async Task A_student_loading_the_class_board_gets_403_and_the_instructor_gets_the_board()
    {
        using var teacher = await Instructor();
        using var student = server.Http();
        var refused = await student.GetAsync("/class");
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("Only the instructor may open the class board", await refused.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await teacher.GetAsync("/class")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await student.GetAsync("/class/cnosuchthing1")).StatusCode); // the join page is anyone's
    }
}
