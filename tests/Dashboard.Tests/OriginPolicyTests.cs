using ContinualLearning.Dashboard.Security;

namespace ContinualLearning.Dashboard.Tests;

public sealed class OriginPolicyTests
{
    static readonly OriginPolicy Default = new([]);

    [Theory]
    [InlineData("http://localhost:5000", "localhost:5000")]
    [InlineData("http://LOCALHOST:5000", "localhost:5000")]
    [InlineData("http://127.0.0.1:5077", "127.0.0.1:5077")]
    [InlineData("http://[::1]:5000", "[::1]:5000")]
    [InlineData("http://lab.example.org", "lab.example.org")] // default ports on both sides
    [InlineData("https://lab.example.org", "lab.example.org")] // TLS ended at a proxy: the host still matches
    [InlineData("http://lab.example.org:80", "lab.example.org")]
    public void A_page_of_the_requested_host_and_port_is_allowed(string origin, string host) =>
        Assert.Null(Default.Refusal(origin, "same-origin", host));

    [Theory]
    [InlineData("http://evil.example", "localhost:5000")]
    [InlineData("http://localhost:3000", "localhost:5000")] // another port: another origin
    [InlineData("http://localhost", "localhost:5000")]
    [InlineData("https://lab.example.org", "lab.example.org:8443")]
    [InlineData("null", "localhost:5000")] // sandboxed frames, file: pages
    [InlineData("file://", "localhost:5000")]
    [InlineData("chrome-extension://abc", "localhost:5000")]
    public void A_page_of_another_origin_is_refused_with_its_origin_named(string origin, string host)
    {
        var refusal = Default.Refusal(origin, "cross-site", host);
        Assert.NotNull(refusal);
        Assert.Contains(origin, refusal);
    }

    [Fact]
    public void A_huge_origin_is_named_only_in_part()
    {
        var refusal = Default.Refusal("http://" + new string('a', 10_000) + ".example", null, "localhost:5000");
        Assert.InRange(refusal!.Length, 1, 300);
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData(null, "same-origin")]
    [InlineData(null, "none")] // typed into the address bar
    [InlineData("", null)]
    public void Without_an_origin_only_a_cross_site_fetch_marker_refuses(string? origin, string? site) =>
        Assert.Null(Default.Refusal(origin, site, "localhost:5000"));

    [Fact]
    public void Configured_origins_are_allowed_however_they_are_spelled()
    {
        var policy = new OriginPolicy(["https://Course.Example.org/", "http://10.0.0.5:8080"]);
        Assert.Null(policy.Refusal("https://course.example.org", null, "localhost:5000"));
        Assert.Null(policy.Refusal("https://course.example.org:443", null, "localhost:5000"));
        Assert.Null(policy.Refusal("http://10.0.0.5:8080", null, "localhost:5000"));
        Assert.NotNull(policy.Refusal("http://10.0.0.5", null, "localhost:5000"));
        Assert.NotNull(policy.Refusal("http://course.example.org", null, "localhost:5000"));
    }
}
