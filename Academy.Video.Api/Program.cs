Console.WriteLine("Academy.Video.Api: composed in issue 5.");
