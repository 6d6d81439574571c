using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using ContinualLearning.Engine.Training;
using Microsoft.Extensions.Options;

namespace ContinualLearning.Dashboard.Identity;

/// <summary>
/// The one place that decides who owns a new run and who may change an existing one (cancel, rename, delete).
/// Personal mode: everyone is the local user and may do everything. Class mode: the owner or an instructor.
/// </summary>
public sealed class RunOwnership(IOptions<ClassroomOptions> options)
{
    readonly ClassroomOptions settings = options.Value;

    public bool ClassMode => settings.ClassMode;

    /// <summary>The owner a run submitted by this user gets.</summary>
    public string OwnerOf(ClaimsPrincipal? user) => !ClassMode ? TrainingRun.LocalOwner
        : Visitor.Id(user) ?? throw new InvalidOperationException("A request reached the dashboard without a visitor identity.");

    /// <summary>Whether the user's own runs are those of this owner (personal mode: every run is the local user's).</summary>
    public bool IsMine(ClaimsPrincipal? user, string owner) => !ClassMode || owner == Visitor.Id(user);

    public bool IsInstructor(ClaimsPrincipal? user) => ClassMode && Visitor.IsInstructor(user);

    /// <summary>May this user cancel, rename or delete a run of this owner?</summary>
    public bool MayChange(ClaimsPrincipal? user, string owner) => IsMine(user, owner) || IsInstructor(user);

    /// <summary>The sentence a refusal carries (REST 403 detail, hub error).</summary>
    public static string Refusal(string what) => $"Only the run's owner or an instructor may {what} it.";

    /// <summary>The instructor key, compared in constant time (no timing tells how much of a guess was right).</summary>
    public bool IsInstructorKey(string? key) => ClassMode && key is not null
        && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(key)), SHA256.HashData(Encoding.UTF8.GetBytes(settings.InstructorKey!)));
}
