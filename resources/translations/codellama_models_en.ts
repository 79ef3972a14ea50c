<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>ModelsWindow</name>
    <message numerus="yes">
        <source>{shown} of %n model(s)</source>
        <translation>
            <numerusform>{shown} of %n model</numerusform>
            <numerusform>{shown} of %n models</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n model(s)</source>
        <translation>
            <numerusform>%n model</numerusform>
            <numerusform>%n models</numerusform>
        </translation>
    </message>
</context>
</TS>
