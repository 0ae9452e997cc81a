package io.eventflow.job;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The job's dependencies point one way: operators, sinks and models are configured by their constructors and never
 * read the job's configuration; only {@link ProjectionJob} (the wiring) and the configuration itself do.
 */
class ArchitectureTest {

    private static JavaClasses job;

    @BeforeAll
    static void importTheJob() {
        job = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.eventflow.job");
    }

    @Test
    void operatorsSinksAndModelsNeverReadTheJobsConfiguration() {
        ArchRule rule = noClasses().that().resideInAnyPackage("io.eventflow.job.ordering..", "io.eventflow.job.projection..",
                "io.eventflow.job.sink..", "io.eventflow.job.model..", "io.eventflow.job.readmodel..",
                "io.eventflow.job.mongo..", "io.eventflow.job.inspect..")
            .should().dependOnClassesThat().haveFullyQualifiedName("io.eventflow.job.config.JobConfig")
            .orShould().dependOnClassesThat().haveFullyQualifiedName("io.eventflow.job.config.JobOptions")
            .orShould().dependOnClassesThat().haveFullyQualifiedName("io.eventflow.job.config.ConfigSources")
            .because("operators get their settings through their constructors; only the wiring reads options");
        rule.check(job);
    }

    @Test
    void modelsAndTheReadModelEncodingDependOnNoOperator() {
        noClasses().that().resideInAnyPackage("io.eventflow.job.model..", "io.eventflow.job.readmodel..")
            .should().dependOnClassesThat().resideInAnyPackage("io.eventflow.job.ordering..", "io.eventflow.job.projection..",
                "io.eventflow.job.sink..", "io.eventflow.job.source..", "io.eventflow.job.config..")
            .check(job);
    }

    @Test
    void nothingButTheWiringDependsOnTheWiring() {
        noClasses().that().doNotHaveFullyQualifiedName(ProjectionJob.class.getName())
            .should().dependOnClassesThat().haveFullyQualifiedName(ProjectionJob.class.getName())
            .check(job);
    }
}
