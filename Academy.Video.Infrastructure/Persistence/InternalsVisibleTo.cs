using System.Runtime.CompilerServices;

// The benchmark EXPLAINs and times the recovery scan's and the backlog's own queries.
[assembly: InternalsVisibleTo("Academy.Video.Bench")]

// The operator checks' store (PostgresOperationsStore) reads jobs with the persistence's own row mapping.
[assembly: InternalsVisibleTo("Academy.Video.Operations")]
