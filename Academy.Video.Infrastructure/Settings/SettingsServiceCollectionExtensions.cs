using System.Reflection;
using Academy.Video.Application.Common;
using FluentValidation;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Academy.Video.Infrastructure.Settings;

public static class SettingsServiceCollectionExtensions
{
    /// <summary>
    /// The one way a host registers settings: binds <typeparamref name="TOptions"/> to <paramref name="section"/>, checks it
    /// with its FluentValidation validator (registered, or the one <see cref="AbstractValidator{T}"/> in the options' own
    /// assembly, the application's or the infrastructure's) through <see cref="FluentOptionsValidator{TOptions}"/>, and records
    /// it in the <see cref="SettingsCatalog"/>. <paramref name="validateOnStart"/> false leaves the check to the first read,
    /// for settings only some hosts use (the host that needs them asks for the check at start itself).
    /// </summary>
    public static OptionsBuilder<TOptions> AddSettings<TOptions>(
        this IServiceCollection services, IConfiguration configuration, string section, bool validateOnStart = true)
        where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentException.ThrowIfNullOrWhiteSpace(section);

        var catalog = Catalog(services);
        if (catalog.Sections.Any(s => s.OptionsType == typeof(TOptions) && s.Section == section))
        {
            // Registered already (a composition that needs it may ask again): bound and checked once.
            var registered = services.AddOptions<TOptions>();
            if (validateOnStart)
            {
                registered.ValidateOnStart();
                catalog.Add(new SettingsSection(typeof(TOptions), section, validateOnStart));
            }

            return registered;
        }

        var builder = services.AddOptions<TOptions>().Bind(configuration.GetSection(section));
        foreach (var change in KeyChanges.All.Where(c => c.Honoured && c.NewKey.StartsWith(section + ":", StringComparison.OrdinalIgnoreCase)))
        {
            // The old key still works; the new one wins when both are set (KeyChanges).
            var property = typeof(TOptions).GetProperty(change.NewKey[(section.Length + 1)..], BindingFlags.Public | BindingFlags.Instance)
                ?? throw new InvalidOperationException($"{change.NewKey} is not a property of {typeof(TOptions).Name} (KeyChanges).");
            builder.Configure(options =>
            {
                if (configuration[change.NewKey] is null && configuration[change.OldKey] is not null)
                {
                    property.SetValue(options, configuration.GetSection(change.OldKey).Get(property.PropertyType));
                }
            });
        }

        if (!services.Any(d => d.ServiceType == typeof(IValidator<TOptions>)) && FindValidator(typeof(TOptions)) is { } validatorType)
        {
            services.AddSingleton(typeof(IValidator<TOptions>), validatorType);
        }

        if (services.Any(d => d.ServiceType == typeof(IValidator<TOptions>)))
        {
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, FluentOptionsValidator<TOptions>>());
        }

        if (validateOnStart)
        {
            builder.ValidateOnStart();
        }

        catalog.Add(new SettingsSection(typeof(TOptions), section, validateOnStart));
        return builder;
    }

    /// <summary>The catalog of this service collection, created with its first settings.</summary>
    public static SettingsCatalog Catalog(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.FirstOrDefault(d => d.ServiceType == typeof(SettingsCatalog))?.ImplementationInstance is SettingsCatalog catalog)
        {
            return catalog;
        }

        catalog = new SettingsCatalog();
        services.AddSingleton(catalog);
        return catalog;
    }

    private static Type? FindValidator(Type optionsType)
    {
        var contract = typeof(IValidator<>).MakeGenericType(optionsType);
        Assembly[] assemblies = [optionsType.Assembly, typeof(FluentOptionsValidator<>).Assembly, typeof(SettingsCatalog).Assembly];
        var found = assemblies.Distinct()
            .SelectMany(a => a.GetTypes())
            .Where(t => t is { IsAbstract: false, IsGenericTypeDefinition: false } && contract.IsAssignableFrom(t))
            .ToList();
        return found.Count switch
        {
            0 => null,
            1 => found[0],
            _ => throw new InvalidOperationException($"{optionsType.Name} has {found.Count} validators ({string.Join(", ", found.Select(t => t.Name))}); keep one."),
        };
    }
}
