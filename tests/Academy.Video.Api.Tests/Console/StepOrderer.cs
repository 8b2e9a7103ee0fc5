using Xunit.Abstractions;
using Xunit.Sdk;

namespace Academy.Video.Api.Tests.Console;

/// <summary>The position of a console test in its class's run: a session goes sign-in, upload, …, operations last.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class StepAttribute(int number) : Attribute
{
    public int Number { get; } = number;
}

/// <summary>
/// Runs the console's tests in their <see cref="StepAttribute"/> order. Each test stands alone; the order only
/// makes the screenshots the same on every run (the operations page shows the jobs the earlier steps ran).
/// </summary>
public sealed class StepOrderer : ITestCaseOrderer
{
    public const string TypeName = "Academy.Video.Api.Tests.Console.StepOrderer";
    public const string AssemblyName = "Academy.Video.Api.Tests";

    public IEnumerable<TTestCase> OrderTestCases<TTestCase>(IEnumerable<TTestCase> testCases)
        where TTestCase : ITestCase =>
        testCases.OrderBy(test => test.TestMethod.Method.GetCustomAttributes(typeof(StepAttribute)).FirstOrDefault()?.GetConstructorArguments().FirstOrDefault() as int? ?? int.MaxValue)
            .ThenBy(test => test.TestMethod.Method.Name, StringComparer.Ordinal);
}
