using System.Runtime.CompilerServices;

// The benchmark EXPLAINs and times the recovery scan's and the backlog's own queries.
[assembly: InternalsVisibleTo("Academy.Video.Bench")]
