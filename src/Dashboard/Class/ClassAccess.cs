using System.Security.Claims;
using ContinualLearning.Dashboard.Identity;

namespace ContinualLearning.Dashboard.Class;

/// <summary>Who may run the class: the instructor in class mode; in personal mode the single local user is the instructor.</summary>
public static class ClassAccess
{
    public static bool MayRunTheClass(this RunOwnership ownership, ClaimsPrincipal? user) => !ownership.ClassMode || ownership.IsInstructor(user);

    public const string Refusal = "Only the instructor may do this: sign in on /instructor with the instructor key.";
}
