using System.Runtime.CompilerServices;

// The benchmark EXPLAINs the recovery scan's own candidate queries.
[assembly: InternalsVisibleTo("Academy.Video.Bench")]
